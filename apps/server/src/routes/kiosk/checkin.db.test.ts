import { randomUUID } from 'node:crypto';
import type { CheckInResponse, CreatedVisit } from '@atrium/protocol';
import { generateKeyPair, SignJWT } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, pairKiosk, scan, signInAdmin } from '../../../test/actors';
import { testClock } from '../../../test/clock';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { bootstrap } from '../../bootstrap';
import type { DomainEvent } from '../../events/outbox';

const EMAIL = 'frontdesk@example.com';
const clock = testClock();
let s: TestServer;
let admin: string;
let siteId: string;
let otherSiteId: string;
let tenantId: string;
let kiosk: { token: string; kioskId: string };
const events: DomainEvent[] = [];

beforeAll(async () => {
  s = await startTestServer({ now: clock.now });
  const boot = await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: EMAIL, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  if (!boot.created) throw new Error('no tenant');
  tenantId = boot.tenantId;
  siteId = boot.siteId;
  const other = await s.db.withTenant(tenantId, (tx) =>
    tx
      .insertInto('sites')
      .values({ tenant_id: tenantId, name: 'Annex', wifi_ssid: 'Annex-Guest' })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  otherSiteId = other.id;
  admin = (await signInAdmin(s, EMAIL)).accessToken;
  kiosk = await pairKiosk(s, admin, siteId, clock.advance);
  s.ctx.events.subscribe((event) => events.push(event));
});
afterAll(() => s?.stop());

const hours = (n: number) => new Date(clock.now().getTime() + n * 3600_000).toISOString();

async function newVisit(overrides: Partial<{ siteId: string; arrival: string; departure: string; name: string }> = {}) {
  const res = await api(s, admin).post('/visits', {
    siteId: overrides.siteId ?? siteId,
    visitor: { name: overrides.name ?? 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Engines' },
    expectedArrival: overrides.arrival ?? hours(-0.5),
    expectedDeparture: overrides.departure ?? hours(4),
  });
  expect(res.status).toBe(201);
  return jsonOf<CreatedVisit>(res);
}

const checkIn = (body: unknown, token = kiosk.token) => api(s, token).post('/kiosk/check-ins', body);

describe(`pre-registration on ${testBackend()}`, () => {
  it('creates a visit with a compact QR token and renders it as SVG and PNG', async () => {
    const visit = await newVisit();
    expect(visit).toMatchObject({ status: 'expected', siteId, visitor: { name: 'Ada Lovelace' } });
    expect(Buffer.byteLength(visit.qrToken)).toBeLessThanOrEqual(412);
    const svg = await api(s, admin).get(`/visits/${visit.id}/qr?format=svg`);
    expect(svg.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    expect(await svg.text()).toContain('<svg');
    const png = await api(s, admin).get(`/visits/${visit.id}/qr?format=png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const got = await jsonOf<{ id: string; visitorId: string }>(await api(s, admin).get(`/visits/${visit.id}`));
    expect(got.visitorId).toBe(visit.visitorId);
    const jwks = await jsonOf<{ keys: Array<{ kid: string; crv: string }> }>(
      await fetch(`${s.url}/.well-known/jwks.json`),
    );
    const kid = JSON.parse(Buffer.from(visit.qrToken.split('.')[0]!, 'base64url').toString()).kid;
    expect(jwks.keys.map((k) => k.kid)).toContain(kid);
  });

  it('refuses bad visits naming the field', async () => {
    const post = (body: object) =>
      api(s, admin).post('/visits', {
        siteId,
        visitor: { name: 'Bob' },
        expectedArrival: hours(1),
        expectedDeparture: hours(2),
        ...body,
      });
    const cases: Array<[object, string]> = [
      [{ expectedDeparture: hours(0.5) }, 'expectedDeparture'],
      [{ expectedDeparture: hours(30) }, 'expectedDeparture'],
      [{ expectedArrival: 'tomorrow' }, 'expectedArrival'],
      [{ visitor: { name: '' } }, 'visitor.name'],
      [{ visitor: { name: 'x', email: 'not-mail' } }, 'visitor.email'],
      [{ siteId: 'nope' }, 'siteId'],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect(res.status, field).toBe(400);
      expect((await errorOf(res)).details?.field, JSON.stringify(body)).toBe(field);
    }
  });
});

describe(`check-in on ${testBackend()}`, () => {
  it('20 concurrent scans of one code: exactly one 201, nineteen 409 already_used; a retry answers the same', async () => {
    const visit = await newVisit();
    const bodies = Array.from({ length: 20 }, () => scan(visit.qrToken, clock.now()));
    const results = await Promise.all(bodies.map((body) => checkIn(body)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    const winnerIndex = results.findIndex((r) => r.status === 201);
    const first = await jsonOf<CheckInResponse>(results[winnerIndex]!);
    for (const [i, r] of results.entries()) if (i !== winnerIndex) expect((await errorOf(r)).code).toBe('already_used');

    expect(first).toMatchObject({ visitId: visit.id, displayName: 'Ada L.', voucher: { ssid: 'Guest' } });
    expect(first.voucher.username).toMatch(/^guest-[a-hjkmnp-z2-9]{6}$/);
    expect(first.voucher.password).toMatch(/^[a-hjkmnp-z2-9]{8}$/);
    expect(first.voucher.validUntil).toBe(visit.expectedDeparture);

    const retry = await checkIn(bodies[winnerIndex]);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(first);

    const active = await s.db.withTenant(tenantId, (tx) =>
      tx
        .selectFrom('vouchers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('visit_id', '=', visit.id)
        .where('status', '=', 'active')
        .executeTakeFirstOrThrow(),
    );
    expect(active.n).toBe(1);
    await s.ctx.events.wake();
    expect(
      events.filter((e) => e.type === 'voucher.upserted' && 'visitId' in e.payload && e.payload.visitId === visit.id),
    ).toHaveLength(1);
  });

  it('each failure is the right 422, never a 500', async () => {
    const expired = await newVisit({ arrival: hours(-3), departure: hours(1 / 60) });
    const future = await newVisit({ arrival: hours(5), departure: hours(6) });
    const annex = await newVisit({ siteId: otherSiteId });
    const cancelled = await newVisit();
    expect((await api(s, admin).delete(`/visits/${cancelled.id}`)).status).toBe(200);
    clock.advance(3 * 60_000); // past the first visit's departure and the verifier's clock tolerance
    admin = (await signInAdmin(s, EMAIL)).accessToken;

    const code = async (token: string) => {
      const res = await checkIn(scan(token, clock.now()));
      return `${res.status} ${(await errorOf(res)).code}`;
    };
    expect(await code(expired.qrToken)).toBe('422 token_expired');
    expect(await code(future.qrToken)).toBe('422 token_not_yet_valid');
    expect(await code(annex.qrToken)).toBe('422 wrong_site');
    expect(await code(cancelled.qrToken)).toBe('422 visit_cancelled');

    const good = (await newVisit()).qrToken;
    const [h, p, sig] = good.split('.');
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString());
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const jwk = (await s.ctx.keys.qrJwks(tenantId)).keys[0]!;
    const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = [
      `${h}.${p}.${sig!.slice(0, -4)}AAAA`,
      `${h}.${b64({ ...payload, sub: payload.jti })}.${sig}`,
      `${b64({ ...header, alg: 'none' })}.${p}.`,
      await new SignJWT(payload).setProtectedHeader({ ...header, alg: 'HS256' }).sign(Buffer.from(jwk.x!, 'base64url')),
      await new SignJWT(payload).setProtectedHeader({ ...header, kid: 'unknown1' }).sign(stranger.privateKey),
      await new SignJWT(payload).setProtectedHeader(header).sign(stranger.privateKey),
      'garbage',
      'a.b.c',
      'x'.repeat(4000),
    ];
    for (const token of forged) expect(await code(token), token.slice(0, 40)).toBe('422 invalid_token');
    const huge = await checkIn(scan('x'.repeat(10_000)));
    expect(huge.status).toBe(400);
    for (const body of [
      {},
      { token: good },
      { ...scan(good), idempotencyKey: 'not-a-uuid' },
      { ...scan(good), occurredAt: 'yesterday' },
      [],
    ]) {
      expect((await checkIn(body)).status, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
    const late = await checkIn(scan(good, new Date(clock.now().getTime() + 10 * 60_000)));
    expect((await errorOf(late)).details?.field).toBe('occurredAt');
  });

  it('check-out by the same code revokes the voucher; the on-site list follows', async () => {
    const visit = await newVisit({ name: 'Grace Hopper' });
    const ticket = await jsonOf<CheckInResponse>(await checkIn(scan(visit.qrToken, clock.now())));
    const list = async () =>
      jsonOf<Array<{ visitId: string; name: string; hostName: string; offline: boolean }>>(
        await api(s, admin).get(`/sites/${siteId}/on-site`),
      );
    expect((await list()).find((e) => e.visitId === visit.id)).toMatchObject({
      name: 'Grace Hopper',
      hostName: 'Administrator',
      offline: false,
    });

    const out = await api(s, kiosk.token).post('/kiosk/check-outs', scan(visit.qrToken, clock.now()));
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ visitId: visit.id, status: 'checked_out' });
    expect((await list()).find((e) => e.visitId === visit.id)).toBeUndefined();
    const again = await api(s, kiosk.token).post('/kiosk/check-outs', scan(visit.qrToken, clock.now()));
    expect([again.status, (await errorOf(again)).code]).toEqual([409, 'not_checked_in']);
    await s.ctx.events.wake();
    const revoke = events.find(
      (e) => e.type === 'voucher.revoked' && (e.payload as { visitId: string }).visitId === visit.id,
    );
    expect(revoke?.payload).toMatchObject({ disconnect: true, version: 2 });
    expect(ticket.voucher.username).toBeTruthy();
  });

  it('staff check in and out by hand', async () => {
    const visit = await newVisit();
    const manual = await api(s, admin).post(`/visits/${visit.id}/check-in`, {});
    expect(manual.status).toBe(201);
    expect((await api(s, admin).post(`/visits/${visit.id}/check-in`, {})).status).toBe(409);
    const out = await api(s, admin).post(`/visits/${visit.id}/check-out`, {});
    expect([out.status, await out.json()]).toEqual([200, { id: visit.id, status: 'checked_out' }]);
    expect((await api(s, admin).post(`/visits/${visit.id}/check-out`, {})).status).toBe(409);
    expect((await api(s, admin).post(`/visits/${randomUUID()}/check-out`, {})).status).toBe(404);
  });

  it('a queued offline check-in is recorded as offline; a second kiosk replaying it is a conflict', async () => {
    const visit = await newVisit();
    const second = await pairKiosk(s, admin, siteId, clock.advance);
    const scannedAt = new Date(clock.now().getTime() - 5 * 60_000);
    const first = await checkIn(scan(visit.qrToken, scannedAt));
    expect(first.status).toBe(201);
    expect(await jsonOf<{ offline: boolean }>(first)).toMatchObject({ offline: true });
    const replayed = await checkIn(scan(visit.qrToken, new Date(scannedAt.getTime() + 1000)), second.token);
    expect([replayed.status, (await errorOf(replayed)).code]).toEqual([409, 'already_used']);
    const conflicts = await s.db.withTenant(tenantId, (tx) =>
      tx
        .selectFrom('check_in_conflicts')
        .select(['kiosk_id', 'first_kiosk_id'])
        .where('visit_id', '=', visit.id)
        .execute(),
    );
    expect(conflicts).toEqual([{ kiosk_id: second.kioskId, first_kiosk_id: kiosk.kioskId }]);
    const onSite = await jsonOf<Array<{ visitId: string; offline: boolean }>>(
      await api(s, admin).get(`/sites/${siteId}/on-site`),
    );
    expect(onSite.find((e) => e.visitId === visit.id)?.offline).toBe(true);
    const audit = await jsonOf<{ items: unknown[] }>(await api(s, admin).get('/audit?action=visit.replay_conflict'));
    expect(audit.items.length).toBe(1);
  });

  it('a scan the kiosk accepted offline is filed offline even when it syncs within the minute', async () => {
    const visit = await newVisit();
    const second = await pairKiosk(s, admin, siteId, clock.advance);
    const first = await checkIn({ ...scan(visit.qrToken, clock.now()), offline: true });
    expect(first.status).toBe(201);
    expect(await jsonOf<{ offline: boolean }>(first)).toMatchObject({ offline: true });
    const replayed = await checkIn({ ...scan(visit.qrToken, clock.now()), offline: true }, second.token);
    expect([replayed.status, (await errorOf(replayed)).code]).toEqual([409, 'already_used']);
    const conflicts = await s.db.withTenant(tenantId, (tx) =>
      tx.selectFrom('check_in_conflicts').select('id').where('visit_id', '=', visit.id).execute(),
    );
    expect(conflicts).toHaveLength(1);
    // Not a boolean: refused, nothing written.
    const bad = await checkIn({ ...scan((await newVisit()).qrToken, clock.now()), offline: 'yes' });
    expect([bad.status, (await errorOf(bad)).code]).toEqual([400, 'invalid_input']);
  });

  it('the kiosk config carries the site, keys, server time and the revocation list', async () => {
    const cancelled = await newVisit();
    await api(s, admin).delete(`/visits/${cancelled.id}`);
    const config = await jsonOf<{
      site: { id: string; wifiSsid: string };
      revokedJtis: string[];
      jwks: { keys: unknown[] };
      serverTime: string;
    }>(await api(s, kiosk.token).get('/kiosk/config'));
    expect(config.site).toMatchObject({ id: siteId, wifiSsid: 'Guest' });
    const jti = JSON.parse(Buffer.from(cancelled.qrToken.split('.')[1]!, 'base64url').toString()).jti;
    expect(config.revokedJtis.length).toBeGreaterThan(0);
    expect(jti).toHaveLength(22);
    expect(config.jwks.keys.length).toBeGreaterThan(0);
    expect(Math.abs(new Date(config.serverTime).getTime() - clock.now().getTime())).toBeLessThan(5000);
  });

  it('walk-ins only where the site allows them', async () => {
    const body = { visitor: { name: 'Walk In' }, idempotencyKey: randomUUID(), occurredAt: clock.now().toISOString() };
    const refused = await api(s, kiosk.token).post('/kiosk/walk-ins', body);
    expect([refused.status, (await errorOf(refused)).code]).toEqual([403, 'walk_ins_disabled']);
    await s.db.withTenant(tenantId, (tx) =>
      tx
        .updateTable('sites')
        .set({ settings: sql`settings || '{"walkInsAllowed": true}'` })
        .where('id', '=', siteId)
        .execute(),
    );
    const ok = await api(s, kiosk.token).post('/kiosk/walk-ins', body);
    expect(ok.status).toBe(201);
    const again = await api(s, kiosk.token).post('/kiosk/walk-ins', body);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await ok.json());
    const count = await s.db.withTenant(tenantId, (tx) =>
      tx
        .selectFrom('visitors')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('name', '=', 'Walk In')
        .executeTakeFirstOrThrow(),
    );
    expect(count.n).toBe(1);
  });
});

describe(`idempotency keys are scoped to actor, operation and visit on ${testBackend()}`, () => {
  const keyed = (token: string, idempotencyKey: string) => ({ ...scan(token, clock.now()), idempotencyKey });

  it("another site's kiosk replaying a key gets its own check-in, never the first visitor's voucher", async () => {
    const annexKiosk = await pairKiosk(s, admin, otherSiteId, clock.advance);
    const lobbyVisit = await newVisit({ name: 'Lobby Visitor' });
    const annexVisit = await newVisit({ siteId: otherSiteId, name: 'Annex Visitor' });
    const key = randomUUID();

    const lobby = await checkIn(keyed(lobbyVisit.qrToken, key));
    expect(lobby.status).toBe(201);
    const lobbyTicket = await jsonOf<CheckInResponse>(lobby);
    const annex = await checkIn(keyed(annexVisit.qrToken, key), annexKiosk.token);
    expect(annex.status).toBe(201);
    const annexTicket = await jsonOf<CheckInResponse>(annex);
    expect(annexTicket).toMatchObject({
      visitId: annexVisit.id,
      displayName: 'Annex V.',
      voucher: { ssid: 'Annex-Guest' },
    });
    expect(annexTicket.voucher.username).not.toBe(lobbyTicket.voucher.username);
    expect(JSON.stringify(annexTicket)).not.toContain(lobbyTicket.voucher.password);

    // Each kiosk's own retry still answers its own first answer.
    const lobbyRetry = await checkIn(keyed(lobbyVisit.qrToken, key));
    expect([lobbyRetry.status, await lobbyRetry.json()]).toEqual([200, lobbyTicket]);
    const annexRetry = await checkIn(keyed(annexVisit.qrToken, key), annexKiosk.token);
    expect([annexRetry.status, await annexRetry.json()]).toEqual([200, annexTicket]);
  });

  it('the same kiosk reusing a key for another visit gets that visit, not the first one', async () => {
    const first = await newVisit({ name: 'First Person' });
    const second = await newVisit({ name: 'Second Person' });
    const key = randomUUID();
    const one = await jsonOf<CheckInResponse>(await checkIn(keyed(first.qrToken, key)));
    const other = await checkIn(keyed(second.qrToken, key));
    expect(other.status).toBe(201);
    const two = await jsonOf<CheckInResponse>(other);
    expect(two.visitId).toBe(second.id);
    expect(two.voucher.username).not.toBe(one.voucher.username);
  });

  it('a check-in and a check-out with the same key from one kiosk do not collide; each replays its own answer', async () => {
    const visit = await newVisit();
    const key = randomUUID();
    expect((await checkIn(keyed(visit.qrToken, key))).status).toBe(201);
    const out = await api(s, kiosk.token).post('/kiosk/check-outs', keyed(visit.qrToken, key));
    expect([out.status, await out.json()]).toEqual([200, { visitId: visit.id, status: 'checked_out' }]);
    const outAgain = await api(s, kiosk.token).post('/kiosk/check-outs', keyed(visit.qrToken, key));
    expect([outAgain.status, await outAgain.json()]).toEqual([200, { visitId: visit.id, status: 'checked_out' }]);
    const inAgain = await checkIn(keyed(visit.qrToken, key));
    expect([inAgain.status, ((await inAgain.json()) as CheckInResponse).visitId]).toEqual([200, visit.id]);
  });

  it("staff reusing a kiosk's key check in and out their own visit; a walk-in never gets a check-in's answer", async () => {
    const scanned = await newVisit({ name: 'Scanned Guest' });
    const byHand = await newVisit({ name: 'Desk Guest' });
    const key = randomUUID();
    const kioskTicket = await jsonOf<CheckInResponse>(await checkIn(keyed(scanned.qrToken, key)));

    const desk = await api(s, admin).post(`/visits/${byHand.id}/check-in`, { idempotencyKey: key });
    expect(desk.status).toBe(201);
    const deskTicket = await jsonOf<CheckInResponse>(desk);
    expect(deskTicket.visitId).toBe(byHand.id);
    expect(deskTicket.voucher.username).not.toBe(kioskTicket.voucher.username);
    const deskRetry = await api(s, admin).post(`/visits/${byHand.id}/check-in`, { idempotencyKey: key });
    expect([deskRetry.status, await deskRetry.json()]).toEqual([200, deskTicket]);
    const deskOut = await api(s, admin).post(`/visits/${scanned.id}/check-out`, { idempotencyKey: key });
    expect([deskOut.status, await deskOut.json()]).toEqual([200, { id: scanned.id, status: 'checked_out' }]);
    const visit = await s.db.withTenant(tenantId, (tx) =>
      tx.selectFrom('visits').select('status').where('id', '=', scanned.id).executeTakeFirstOrThrow(),
    );
    expect(visit.status).toBe('checked_out');

    await s.db.withTenant(tenantId, (tx) =>
      tx
        .updateTable('sites')
        .set({ settings: sql`settings || '{"walkInsAllowed": true}'` })
        .where('id', '=', siteId)
        .execute(),
    );
    const walkIn = await api(s, kiosk.token).post('/kiosk/walk-ins', {
      visitor: { name: 'Walk Later' },
      idempotencyKey: key,
      occurredAt: clock.now().toISOString(),
    });
    expect(walkIn.status).toBe(201);
    const walkInTicket = await jsonOf<CheckInResponse>(walkIn);
    expect(walkInTicket.displayName).toBe('Walk L.');
    expect(walkInTicket.voucher.username).not.toBe(kioskTicket.voucher.username);
  });
});
