import { describe, expect, it } from 'vitest';
import { papCheck, type VoucherInput, VoucherSet, VoucherStore } from './store';

const T0 = Date.parse('2030-01-01T10:00:00Z');
const HOUR = 3600_000;

function voucher(n: number, overrides: Partial<VoucherInput> = {}): VoucherInput {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    username: `guest${n}`,
    password: `pw-${n}`,
    validFrom: T0 - HOUR,
    validUntil: T0 + HOUR,
    version: 1,
    ...overrides,
  };
}

describe('VoucherStore.authenticate', () => {
  it('accepts the right password inside the validity window', () => {
    const store = new VoucherStore();
    store.upsert(voucher(1));
    const result = store.authenticate('guest1', papCheck('pw-1'), T0);
    expect(result).toEqual({ ok: true, voucher: expect.objectContaining({ id: voucher(1).id, version: 1 }) });
  });

  it('says why a login fails, and only after the password matched for time reasons', () => {
    const store = new VoucherStore();
    store.upsert(voucher(1));
    store.upsert(voucher(2, { validFrom: T0 + HOUR, validUntil: T0 + 2 * HOUR }));
    expect(store.authenticate('nobody', papCheck('x'), T0)).toEqual({ ok: false, reason: 'unknown_user' });
    expect(store.authenticate('guest1', papCheck('pw-2'), T0)).toMatchObject({ ok: false, reason: 'bad_password' });
    expect(store.authenticate('guest1', papCheck('pw-1'), T0 + HOUR)).toMatchObject({ ok: false, reason: 'expired' });
    expect(store.authenticate('guest1', papCheck('pw-1'), T0 + HOUR - 1).ok).toBe(true);
    expect(store.authenticate('guest2', papCheck('pw-2'), T0)).toMatchObject({ ok: false, reason: 'not_yet_valid' });
    expect(store.authenticate('guest2', papCheck('wrong'), T0)).toMatchObject({ ok: false, reason: 'bad_password' });
    expect(store.authenticate('guest2', papCheck('pw-2'), T0 + HOUR).ok).toBe(true);
  });

  it('accepts a voucher that starts a little ahead of this clock (server and agent clocks differ)', () => {
    const store = new VoucherStore({ clockSkewMs: 120_000 });
    store.upsert(voucher(3, { validFrom: T0 + 5000, validUntil: T0 + HOUR }));
    expect(store.authenticate('guest3', papCheck('pw-3'), T0).ok).toBe(true);
    store.upsert(voucher(4, { validFrom: T0 + 120_001, validUntil: T0 + HOUR }));
    expect(store.authenticate('guest4', papCheck('pw-4'), T0)).toMatchObject({ ok: false, reason: 'not_yet_valid' });
  });

  it('reports a revoked voucher as revoked', () => {
    const store = new VoucherStore();
    store.upsert(voucher(1));
    expect(store.revoke(voucher(1).id, 2)?.username).toBe('guest1');
    expect(store.authenticate('guest1', papCheck('pw-1'), T0)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('accepts ISO times as the server sends them', () => {
    const store = new VoucherStore();
    store.upsert(voucher(1, { validFrom: '2030-01-01T09:00:00Z', validUntil: '2030-01-01T11:00:00.000+00:00' }));
    expect(store.get(voucher(1).id)?.validUntil).toBe(T0 + HOUR);
    expect(() => store.upsert(voucher(2, { validUntil: 'soon' }))).toThrow(/validUntil/);
  });
});

describe('papCheck', () => {
  it('compares whole passwords, whatever their lengths', () => {
    expect(papCheck(Buffer.from('secret'))('secret')).toBe(true);
    expect(papCheck(Buffer.from('secret'))('secre')).toBe(false);
    expect(papCheck(Buffer.from('secret'))('secret ')).toBe(false);
    expect(papCheck(Buffer.from('pässwörd'))('pässwörd')).toBe(true);
  });
});

describe('VoucherStore versions', () => {
  it('ignores an upsert that is not newer', () => {
    const store = new VoucherStore();
    expect(store.upsert(voucher(1, { version: 3, password: 'three' }))).toBe(true);
    expect(store.upsert(voucher(1, { version: 2, password: 'two' }))).toBe(false);
    expect(store.upsert(voucher(1, { version: 3, password: 'three-again' }))).toBe(false);
    expect(store.get(voucher(1).id)?.password).toBe('three');
    expect(store.upsert(voucher(1, { version: 4, password: 'four' }))).toBe(true);
    expect(store.authenticate('guest1', papCheck('four'), T0).ok).toBe(true);
  });

  it('does not let a late upsert resurrect a revoked voucher', () => {
    const store = new VoucherStore();
    store.upsert(voucher(1, { version: 1 }));
    store.revoke(voucher(1).id, 2, T0);
    expect(store.upsert(voucher(1, { version: 1 }))).toBe(false);
    expect(store.upsert(voucher(1, { version: 2 }))).toBe(false);
    expect(store.size).toBe(0);
    expect(store.upsert(voucher(1, { version: 3 }))).toBe(true);
    expect(store.authenticate('guest1', papCheck('pw-1'), T0).ok).toBe(true);
  });

  it('remembers a revoke that arrives before the voucher', () => {
    const store = new VoucherStore();
    expect(store.revoke(voucher(1).id, 5, T0)).toBeUndefined();
    expect(store.upsert(voucher(1, { version: 4 }))).toBe(false);
    store.replaceAll([voucher(1, { version: 5 }), voucher(2)]);
    expect(store.get(voucher(1).id)).toBeUndefined();
    expect(store.size).toBe(1);
  });

  it('ignores a stale revoke', () => {
    const store = new VoucherStore();
    store.upsert(voucher(1, { version: 5 }));
    expect(store.revoke(voucher(1).id, 4, T0)).toBeUndefined();
    expect(store.authenticate('guest1', papCheck('pw-1'), T0).ok).toBe(true);
  });

  it('follows a username change', () => {
    const store = new VoucherStore();
    store.upsert(voucher(1));
    store.upsert(voucher(1, { version: 2, username: 'renamed' }));
    expect(store.authenticate('guest1', papCheck('pw-1'), T0)).toEqual({ ok: false, reason: 'unknown_user' });
    expect(store.authenticate('renamed', papCheck('pw-1'), T0).ok).toBe(true);
    expect(store.size).toBe(1);
  });

  it('forgets tombstones after their time to live', () => {
    const store = new VoucherStore({ tombstoneTtlMs: HOUR });
    store.upsert(voucher(1));
    store.revoke(voucher(1).id, 2, T0);
    store.sweep(T0 + HOUR - 1);
    expect(store.upsert(voucher(1, { version: 2 }))).toBe(false);
    store.sweep(T0 + HOUR);
    expect(store.authenticate('guest1', papCheck('pw-1'), T0)).toEqual({ ok: false, reason: 'unknown_user' });
    expect(store.upsert(voucher(1, { version: 2 }))).toBe(true);
  });
});

describe('VoucherStore.replaceAll', () => {
  it('swaps the whole set: vouchers not in the new list are gone', () => {
    const store = new VoucherStore();
    store.replaceAll([voucher(1), voucher(2)]);
    store.replaceAll([voucher(2), voucher(3)]);
    expect(store.size).toBe(2);
    expect(store.authenticate('guest1', papCheck('pw-1'), T0)).toEqual({ ok: false, reason: 'unknown_user' });
    expect(store.authenticate('guest3', papCheck('pw-3'), T0).ok).toBe(true);
  });

  it('changes nothing when one entry is bad', () => {
    const store = new VoucherStore();
    store.replaceAll([voucher(1)]);
    expect(() => store.replaceAll([voucher(2), voucher(3, { validFrom: Number.NaN })])).toThrow(RangeError);
    expect(store.size).toBe(1);
    expect(store.authenticate('guest1', papCheck('pw-1'), T0).ok).toBe(true);
  });

  it('replaces 10,000 vouchers in well under 500 ms', () => {
    const store = new VoucherStore();
    const list = Array.from({ length: 10_000 }, (_, i) =>
      voucher(i, { validUntil: new Date(T0 + HOUR).toISOString() }),
    );
    store.replaceAll(list);
    const started = performance.now();
    store.replaceAll(list);
    const elapsed = performance.now() - started;
    expect(store.size).toBe(10_000);
    expect(elapsed).toBeLessThan(250);
    expect(store.authenticate('guest9999', papCheck('pw-9999'), T0).ok).toBe(true);
  });
});

describe('VoucherStore.sweep', () => {
  it('removes expired vouchers and counts them', () => {
    const store = new VoucherStore();
    store.replaceAll([voucher(1, { validUntil: T0 }), voucher(2, { validUntil: T0 + 1 }), voucher(3)]);
    expect(store.sweep(T0)).toBe(1);
    expect(store.size).toBe(2);
    expect(store.findByUsername('guest1')).toBeUndefined();
    expect(store.sweep(T0 + HOUR)).toBe(2);
    expect(store.size).toBe(0);
  });
});

describe('VoucherStore sessions', () => {
  const nas = { address: '10.0.0.2', ip: '10.0.0.2', identifier: 'ap-lobby' };
  const id1 = voucher(1).id;

  it('tracks a session from Start through Interim to Stop', () => {
    const store = new VoucherStore();
    store.sessionStart('sess-1', id1, nas, { username: 'guest1', callingStationId: 'AA-BB' }, T0);
    store.sessionInterim('sess-1', id1, nas, { inputOctets: 100, outputOctets: 200, sessionTime: 300 }, T0 + 300_000);
    expect(store.sessionsOf(id1)).toEqual([
      expect.objectContaining({
        acctSessionId: 'sess-1',
        voucherId: id1,
        username: 'guest1',
        callingStationId: 'AA-BB',
        inputOctets: 100,
        outputOctets: 200,
        sessionTime: 300,
        startedAt: T0,
        updatedAt: T0 + 300_000,
      }),
    ]);
    expect(store.activeSessions).toBe(1);
    const stopped = store.sessionStop('sess-1', id1, nas, { inputOctets: 150, outputOctets: 250 }, T0 + 400_000);
    expect(stopped).toMatchObject({ inputOctets: 150, outputOctets: 250, sessionTime: 300 });
    expect(store.sessionsOf(id1)).toEqual([]);
    expect(store.activeSessions).toBe(0);
    expect(store.sessionStop('sess-1', id1, nas, {}, T0)).toBeUndefined();
  });

  it('keeps the same session id from two NASes apart, and ends all of one NAS on Accounting-On', () => {
    const store = new VoucherStore();
    store.sessionStart('s', id1, nas, {}, T0);
    store.sessionStart('s', id1, { address: '10.0.0.3' }, {}, T0);
    store.sessionInterim('other', id1, nas, {}, T0);
    expect(store.sessionsOf(id1).map((s) => s.nas.address)).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.2']);
    expect(store.endNasSessions('10.0.0.2')).toBe(2);
    expect(store.sessionsOf(id1).map((s) => s.nas.address)).toEqual(['10.0.0.3']);
  });

  it('forgets sessions that went quiet', () => {
    const store = new VoucherStore({ staleSessionMs: HOUR });
    store.sessionStart('s', id1, nas, {}, T0);
    store.sweep(T0 + HOUR - 1);
    expect(store.activeSessions).toBe(1);
    store.sweep(T0 + HOUR);
    expect(store.activeSessions).toBe(0);
    expect(store.sessionsOf(id1)).toEqual([]);
  });
});

describe('VoucherSet (a reconcile in parts)', () => {
  it('changes nothing until committed, then replaces the whole set', () => {
    const store = new VoucherStore();
    store.replaceAll([voucher(1), voucher(2)]);
    const set = new VoucherSet();
    set.add([voucher(2, { version: 2, password: 'new' })]);
    set.add([voucher(3)]);
    expect(store.size).toBe(2);
    expect(store.authenticate('guest1', papCheck('pw-1'), T0).ok).toBe(true);
    expect(store.findByUsername('guest3')).toBeUndefined();
    store.commit(set);
    expect(store.size).toBe(2);
    expect(store.authenticate('guest1', papCheck('pw-1'), T0)).toEqual({ ok: false, reason: 'unknown_user' });
    expect(store.authenticate('guest2', papCheck('new'), T0).ok).toBe(true);
    expect(store.authenticate('guest3', papCheck('pw-3'), T0).ok).toBe(true);
  });

  it('keeps the later of two entries with the same id or username', () => {
    const set = new VoucherSet();
    set.add([
      voucher(1),
      voucher(2),
      voucher(1, { username: 'renamed', version: 2 }),
      voucher(3, { username: 'guest2' }),
    ]);
    const store = new VoucherStore();
    store.commit(set);
    expect(store.size).toBe(2);
    expect(store.findByUsername('guest1')).toBeUndefined();
    expect(store.findByUsername('renamed')?.id).toBe(voucher(1).id);
    expect(store.findByUsername('guest2')?.id).toBe(voucher(3).id);
  });
});

describe('VoucherStore packed storage', () => {
  it('holds non-ASCII usernames and passwords byte for byte', () => {
    const store = new VoucherStore();
    store.upsert(voucher(1, { username: 'gäst-ü', password: 'pässwörd-😀' }));
    expect(store.get(voucher(1).id)).toMatchObject({ username: 'gäst-ü', password: 'pässwörd-😀' });
    expect(store.authenticate('gäst-ü', papCheck('pässwörd-😀'), T0).ok).toBe(true);
    expect(store.authenticate(Buffer.from('gäst-ü'), papCheck('pässwörd-😀'), T0).ok).toBe(true);
    expect(store.authenticate('gäst-u', papCheck('pässwörd-😀'), T0).ok).toBe(false);
  });

  it('answers like a plain map through 30,000 random upserts, revokes and sweeps', () => {
    const store = new VoucherStore({ tombstoneTtlMs: 10 * HOUR });
    const model = new Map<number, VoucherInput>();
    /** Versions only grow, through revokes and expiry too. */
    const versions = new Map<number, number>();
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let now = T0;
    for (let step = 0; step < 30_000; step++) {
      const n = random(4000);
      const op = random(10);
      const held = model.get(n);
      if (op < 6) {
        const version = (versions.get(n) ?? 0) + 1;
        versions.set(n, version);
        const input = voucher(n, { version, password: `pw-${n}-${step}`, validUntil: now + random(3) * HOUR });
        expect(store.upsert(input)).toBe(true);
        model.set(n, input);
      } else if (op < 9) {
        const version = (versions.get(n) ?? 0) + 1;
        versions.set(n, version);
        expect(store.revoke(voucher(n).id, version, now)?.id).toBe(held?.id);
        model.delete(n);
      } else {
        now += HOUR / 2;
        const expired = [...model].filter(([, v]) => (v.validUntil as number) <= now).map(([k]) => k);
        expect(store.sweep(now)).toBe(expired.length);
        for (const k of expired) model.delete(k);
      }
    }
    expect(store.size).toBe(model.size);
    for (let n = 0; n < 4000; n++) {
      const held = model.get(n);
      const result = store.authenticate(`guest${n}`, papCheck(held?.password ?? 'x'), now);
      if (!held) {
        expect(result.ok).toBe(false);
        expect(store.get(voucher(n).id)).toBeUndefined();
      } else {
        expect(store.get(held.id)).toMatchObject({ username: held.username, password: held.password });
        expect(result.ok || (result as { reason: string }).reason === 'expired').toBe(true);
      }
    }
  });
});
