import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryOutboxStore } from '../../outbox/memory-store';
import { Outbox, type SendResult } from '../../outbox/outbox';
import type { OutboxEntry } from '../../outbox/types';
import {
  cachedConfig,
  DURING_VISIT,
  generateQrKeyPair,
  JTI,
  type QrKeyPair,
  signToken,
} from '../../scan/test-fixtures';
import { submitCheckOut } from '../checkout/submit-check-out';
import { submitWalkIn, validateWalkIn } from '../walkin/submit-walk-in';
import { submitCheckIn } from './submit-check-in';

let pair: QrKeyPair;
let token: string;

beforeAll(async () => {
  pair = await generateQrKeyPair();
  token = await signToken(pair);
});

const voucherBody = {
  visitId: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
  displayName: 'Ada L.',
  voucher: {
    username: 'guest-7k2m',
    password: 'ruby-otter-42',
    ssid: 'Atrium Guest',
    validUntil: '2025-03-10T18:00:00Z',
  },
};

/** A kiosk with a memory outbox and a server stand-in that is down until `up = true`. */
function kiosk(
  answer: (entry: OutboxEntry) => SendResult = () => ({ type: 'accepted', status: 201, body: voucherBody }),
) {
  const sent: OutboxEntry[] = [];
  const network = { up: true };
  const outbox = new Outbox({
    store: new MemoryOutboxStore(),
    send: async (entry) => {
      if (!network.up) return { type: 'retry', reason: 'network_error' };
      sent.push(entry);
      return answer(entry);
    },
  });
  const deps = { outbox, cached: cachedConfig(pair, { offsetMs: 30_000 }), deviceNow: DURING_VISIT - 30_000 };
  return { outbox, sent, network, deps };
}

describe('check-in at the kiosk', () => {
  it('online: verified, written, sent once, and the voucher reaches the screen', async () => {
    const { outbox, sent, deps } = kiosk();
    const result = await submitCheckIn(`  ${token}\n`, deps);
    expect(result).toEqual({ ok: true, entryId: 1, displayName: 'Ada L.' });
    await outbox.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toMatchObject({ token, occurredAt: new Date(DURING_VISIT).toISOString() });
    expect(outbox.entryState(1)).toEqual({ state: 'accepted', status: 201, body: voucherBody });
  });

  it('offline: queued with the visitor told so, no replay on this kiosk, synced exactly once later', async () => {
    const { outbox, sent, network, deps } = kiosk();
    network.up = false;
    const first = await submitCheckIn(token, deps);
    expect(first.ok).toBe(true);
    await outbox.flush();
    expect(outbox.entryState(1)).toEqual({ state: 'queued', reason: 'network_error' });

    expect(await submitCheckIn(token, deps)).toEqual({ ok: false, reason: 'already_used' });
    expect(outbox.getSnapshot().queued).toBe(1);

    network.up = true;
    await outbox.flush({ force: true });
    await outbox.flush({ force: true });
    expect(sent).toHaveLength(1);
    expect(outbox.entryState(1)).toMatchObject({ state: 'accepted' });
    expect(outbox.getSnapshot().queued).toBe(0);
  });

  it('refuses a local failure without writing anything', async () => {
    const { outbox, deps } = kiosk();
    const cached = cachedConfig(pair, { revokedJtis: [JTI] });
    expect(await submitCheckIn(token, { ...deps, cached, deviceNow: DURING_VISIT })).toEqual({
      ok: false,
      reason: 'visit_cancelled',
    });
    expect(await submitCheckIn(token, { ...deps, cached: null })).toEqual({
      ok: false,
      reason: 'kiosk_must_reconnect',
    });
    expect(outbox.getSnapshot().queued).toBe(0);
  });

  it('shows the server verdict when another kiosk used the code first, and keeps the jti used', async () => {
    const { outbox, deps } = kiosk(() => ({ type: 'rejected', status: 409, code: 'already_used', message: 'used' }));
    await submitCheckIn(token, deps);
    await outbox.flush();
    expect(outbox.entryState(1)).toMatchObject({ state: 'rejected', code: 'already_used' });
    expect(await submitCheckIn(token, deps)).toEqual({ ok: false, reason: 'already_used' });
  });

  it('checks out with the same code after checking in', async () => {
    const { outbox, sent, deps } = kiosk((entry) =>
      entry.kind === 'check_out'
        ? { type: 'accepted', status: 200, body: { visitId: voucherBody.visitId, status: 'checked_out' } }
        : { type: 'accepted', status: 201, body: voucherBody },
    );
    await submitCheckIn(token, deps);
    const out = await submitCheckOut(token, deps);
    expect(out).toEqual({ ok: true, entryId: 2, displayName: 'Ada L.' });
    await outbox.flush();
    expect(sent.map((e) => e.kind)).toEqual(['check_in', 'check_out']);
    expect(sent[0]?.body.idempotencyKey).not.toBe(sent[1]?.body.idempotencyKey);
    expect(outbox.entryState(2)).toMatchObject({ state: 'accepted', body: { status: 'checked_out' } });
  });
});

describe('walk-in', () => {
  it('asks for a name and a plausible email before queueing', () => {
    expect(validateWalkIn({ name: ' ', email: 'ada@', company: '', hostName: '' })).toEqual([
      { field: 'name', problem: 'required' },
      { field: 'email', problem: 'invalid' },
    ]);
    expect(validateWalkIn({ name: 'Ada', email: '', company: '', hostName: '' })).toEqual([]);
  });

  it('queues the visitor with only the fields given, at server time', async () => {
    const { outbox, sent, deps } = kiosk();
    const result = await submitWalkIn(
      { name: ' Ada  Lovelace ', email: 'ada@example.com', company: '', hostName: 'Grace Hopper' },
      deps,
    );
    expect(result).toEqual({ ok: true, entryId: 1, displayName: 'Ada L.' });
    await outbox.flush();
    expect(sent[0]).toMatchObject({
      kind: 'walk_in',
      body: {
        visitor: { name: 'Ada  Lovelace', email: 'ada@example.com' },
        hostName: 'Grace Hopper',
        occurredAt: new Date(DURING_VISIT).toISOString(),
      },
    });
    expect(sent[0]?.body).not.toHaveProperty('visitor.company');
  });
});
