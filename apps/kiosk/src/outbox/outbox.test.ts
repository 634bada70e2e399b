import { describe, expect, it } from 'vitest';
import { MemoryOutboxStore } from './memory-store';
import { type EnqueueInput, isDefinitiveFailure, Outbox, retryDelayMs, type SendResult } from './outbox';
import { JtiAlreadyUsedError, type OutboxEntry } from './types';

const OCCURRED_AT = '2025-03-10T12:00:00.000Z';

function checkIn(name: string, jti?: string): EnqueueInput {
  return {
    kind: 'check_in',
    body: { token: `token-of-${name}`, occurredAt: OCCURRED_AT },
    displayName: name,
    ...(jti ? { jti, jtiExpiresAt: Date.parse('2025-03-10T18:00:00Z') } : {}),
  };
}

/** A server stand-in that answers each send from a script and records what it received, in order. */
function scriptedServer(answers: Array<SendResult | ((entry: OutboxEntry) => SendResult)> = []) {
  const received: Array<{ name: string; key: string }> = [];
  const send = async (entry: OutboxEntry): Promise<SendResult> => {
    received.push({ name: entry.displayName, key: entry.body.idempotencyKey });
    const next = answers.shift() ?? ok;
    return typeof next === 'function' ? next(entry) : next;
  };
  return { received, send };
}

const ok: SendResult = { type: 'accepted', status: 201, body: { voucher: 'v' } };
const offline: SendResult = { type: 'retry', reason: 'network_error' };

function setup(
  answers: Array<SendResult | ((entry: OutboxEntry) => SendResult)> = [],
  store = new MemoryOutboxStore(),
) {
  let clock = Date.parse('2025-03-10T12:00:00Z');
  let keys = 0;
  const server = scriptedServer(answers);
  const outbox = new Outbox({
    store,
    send: server.send,
    now: () => clock,
    random: () => 0.5,
    newKey: () => `key-${++keys}`,
  });
  return { outbox, store, server, advance: (ms: number) => (clock += ms) };
}

describe('Outbox', () => {
  it('writes each entry with its own idempotency key and sends the queue oldest first, emptying it', async () => {
    const { outbox, server, store } = setup();
    await outbox.enqueue(checkIn('Ada'));
    await outbox.enqueue({ kind: 'check_out', body: { token: 't', occurredAt: OCCURRED_AT }, displayName: 'Bob' });
    await outbox.enqueue({
      kind: 'walk_in',
      body: { visitor: { name: 'Cleo' }, occurredAt: OCCURRED_AT },
      displayName: 'Cleo',
    });
    expect(outbox.getSnapshot().queued).toBe(3);

    await outbox.flush();

    expect(server.received).toEqual([
      { name: 'Ada', key: 'key-1' },
      { name: 'Bob', key: 'key-2' },
      { name: 'Cleo', key: 'key-3' },
    ]);
    expect(await store.count()).toBe(0);
    expect(outbox.getSnapshot()).toMatchObject({ queued: 0, rejected: 0, syncing: false, lastError: null });
  });

  it('keeps a failed entry and everything behind it, then resends them in order with the same keys', async () => {
    const { outbox, server, store } = setup([ok, offline]);
    for (const name of ['Ada', 'Bob', 'Cleo']) await outbox.enqueue(checkIn(name));

    await outbox.flush();
    expect(server.received.map((r) => r.name)).toEqual(['Ada', 'Bob']);
    expect((await store.list()).map((e) => e.displayName)).toEqual(['Bob', 'Cleo']);
    expect(outbox.getSnapshot()).toMatchObject({ queued: 2, lastError: 'network_error' });

    await outbox.flush({ force: true });
    expect(server.received).toEqual([
      { name: 'Ada', key: 'key-1' },
      { name: 'Bob', key: 'key-2' },
      { name: 'Bob', key: 'key-2' },
      { name: 'Cleo', key: 'key-3' },
    ]);
    expect(await store.count()).toBe(0);
    expect(outbox.getSnapshot().lastError).toBeNull();
  });

  it('keeps entries on 5xx, 401, 408 and 429 and on a send that throws', async () => {
    const answers: SendResult[] = [
      { type: 'retry', reason: 'http_503' },
      { type: 'retry', reason: 'kiosk_revoked' },
      { type: 'retry', reason: 'rate_limited' },
    ];
    const { outbox, server, store } = setup([
      ...answers,
      () => {
        throw new Error('socket hang up');
      },
    ]);
    await outbox.enqueue(checkIn('Ada'));
    for (const reason of ['http_503', 'kiosk_revoked', 'rate_limited', 'socket hang up']) {
      await outbox.flush({ force: true });
      expect(outbox.getSnapshot().lastError).toBe(reason);
      expect(await store.count()).toBe(1);
    }
    const [entry] = await store.list();
    expect(entry?.attempts).toBe(4);
    expect(new Set(server.received.map((r) => r.key))).toEqual(new Set(['key-1']));
    expect([500, 503, 401, 408, 425, 429].map(isDefinitiveFailure)).toEqual([false, false, false, false, false, false]);
    expect([400, 403, 404, 409, 410, 422].map(isDefinitiveFailure)).toEqual([true, true, true, true, true, true]);
  });

  it('backs off on the interval flush but not on a forced one', async () => {
    const { outbox, server, advance } = setup([offline, offline]);
    await outbox.enqueue(checkIn('Ada'));
    await outbox.flush({ force: true });
    expect(server.received).toHaveLength(1);

    advance(retryDelayMs(1, 0.5) - 1);
    await outbox.flush();
    expect(server.received).toHaveLength(1);
    expect(outbox.entryState(1)).toEqual({ state: 'queued', reason: 'network_error' });

    advance(1);
    await outbox.flush();
    expect(server.received).toHaveLength(2);

    await outbox.flush({ force: true });
    expect(server.received).toHaveLength(3);
    expect(outbox.getSnapshot().queued).toBe(0);
  });

  it('grows the retry delay exponentially up to five minutes, with jitter', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => retryDelayMs(n, 0.5))).toEqual([
      15_000, 30_000, 60_000, 120_000, 240_000, 300_000, 300_000,
    ]);
    expect(retryDelayMs(1, 0)).toBe(12_000);
    expect(retryDelayMs(1, 1)).toBe(18_000);
  });

  it('drops a definitively refused entry, records it for staff and goes on with the next', async () => {
    const { outbox, server, store } = setup([
      { type: 'rejected', status: 422, code: 'token_expired', message: 'This visitor code has expired.' },
    ]);
    await outbox.enqueue(checkIn('Ada'));
    await outbox.enqueue(checkIn('Bob'));
    await outbox.flush();

    expect(server.received.map((r) => r.name)).toEqual(['Ada', 'Bob']);
    expect(await store.count()).toBe(0);
    expect(await outbox.rejections()).toEqual([
      expect.objectContaining({
        entryId: 1,
        kind: 'check_in',
        displayName: 'Ada',
        occurredAt: OCCURRED_AT,
        status: 422,
        code: 'token_expired',
      }),
    ]);
    expect(outbox.getSnapshot()).toMatchObject({ queued: 0, rejected: 1 });
    expect(outbox.entryState(1)).toMatchObject({ state: 'rejected', code: 'token_expired' });

    await outbox.clearRejections();
    expect(outbox.getSnapshot().rejected).toBe(0);
  });

  it('keeps off the staff list a refusal the visitor saw on screen, and only that one', async () => {
    const refused: SendResult = { type: 'rejected', status: 409, code: 'already_used', message: 'Used.' };
    const { outbox } = setup([refused, refused]);
    const seen = await outbox.enqueue(checkIn('Ada'));
    await outbox.enqueue(checkIn('Bob'));
    await outbox.flush();
    expect(outbox.getSnapshot().rejected).toBe(2);

    await outbox.dismissRejection(seen.id);
    expect((await outbox.rejections()).map((r) => r.displayName)).toEqual(['Bob']);
    expect(outbox.getSnapshot().rejected).toBe(1);
  });

  it('holds a check-in jti as used, refuses it a second time, and keeps check-outs out of it', async () => {
    const { outbox } = setup();
    await outbox.enqueue(checkIn('Ada', 'jti-1'));
    expect(await outbox.isJtiUsed('jti-1')).toBe(true);
    await expect(outbox.enqueue(checkIn('Ada again', 'jti-1'))).rejects.toBeInstanceOf(JtiAlreadyUsedError);
    expect(outbox.getSnapshot().queued).toBe(1);

    await outbox.enqueue({ kind: 'check_out', body: { token: 't', occurredAt: OCCURRED_AT }, displayName: 'Ada' });
    await outbox.flush();
    expect(await outbox.isJtiUsed('jti-1')).toBe(true);
  });

  it('frees the jti of a refused check-in, except when the server says it was already used', async () => {
    const { outbox } = setup([
      { type: 'rejected', status: 422, code: 'visit_cancelled', message: 'cancelled' },
      { type: 'rejected', status: 409, code: 'already_used', message: 'used' },
    ]);
    await outbox.enqueue(checkIn('Ada', 'jti-cancelled'));
    await outbox.enqueue(checkIn('Bob', 'jti-elsewhere'));
    await outbox.flush();
    expect(await outbox.isJtiUsed('jti-cancelled')).toBe(false);
    expect(await outbox.isJtiUsed('jti-elsewhere')).toBe(true);
  });

  it('forgets used jtis once their token has expired', async () => {
    const { outbox, advance } = setup([offline]);
    await outbox.enqueue(checkIn('Ada', 'jti-1'));
    advance(24 * 3600_000);
    await outbox.load();
    expect(await outbox.isJtiUsed('jti-1')).toBe(false);
  });

  it('survives a reload: a new outbox on the same store finds the queue and sends it once', async () => {
    const store = new MemoryOutboxStore();
    const first = setup([offline], store);
    await first.outbox.enqueue(checkIn('Ada', 'jti-1'));
    await first.outbox.enqueue(checkIn('Bob'));
    await first.outbox.flush({ force: true });

    const second = setup([], store);
    await second.outbox.load();
    expect(second.outbox.getSnapshot().queued).toBe(2);
    expect(await second.outbox.isJtiUsed('jti-1')).toBe(true);
    await second.outbox.flush({ force: true });
    expect(second.server.received).toEqual([
      { name: 'Ada', key: 'key-1' },
      { name: 'Bob', key: 'key-2' },
    ]);
    expect(await store.count()).toBe(0);
  });

  it('tells the waiting screen when a queued entry syncs, with the server answer', async () => {
    const { outbox } = setup([offline, { type: 'accepted', status: 201, body: { voucher: 'abc' } }]);
    const entry = await outbox.enqueue(checkIn('Ada'));
    expect(outbox.entryState(entry.id)).toEqual({ state: 'pending' });
    const seen: string[] = [];
    const stop = outbox.subscribe(() => seen.push(outbox.entryState(entry.id)?.state ?? 'none'));

    await outbox.flush({ force: true });
    expect(outbox.entryState(entry.id)).toEqual({ state: 'queued', reason: 'network_error' });
    await outbox.flush({ force: true });
    expect(outbox.entryState(entry.id)).toEqual({ state: 'accepted', status: 201, body: { voucher: 'abc' } });
    stop();
    expect(seen).toContain('queued');
    expect(seen.at(-1)).toBe('accepted');
  });

  it('never sends an entry twice at once: a flush during a flush becomes one more pass', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inFlight = 0;
    let maxInFlight = 0;
    const sent: string[] = [];
    const store = new MemoryOutboxStore();
    const outbox = new Outbox({
      store,
      newKey: () => crypto.randomUUID(),
      send: async (entry) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (entry.displayName === 'Ada') await gate;
        sent.push(entry.displayName);
        inFlight--;
        return ok;
      },
    });
    await outbox.enqueue(checkIn('Ada'));
    const first = outbox.flush();
    await outbox.enqueue(checkIn('Bob'));
    const second = outbox.flush({ force: true });
    const third = outbox.flush();
    release();
    await Promise.all([first, second, third]);

    expect(sent).toEqual(['Ada', 'Bob']);
    expect(maxInFlight).toBe(1);
    expect(await store.count()).toBe(0);
  });
});
