import type { Visit } from '@atrium/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/actors';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { ACTORS, type ActorName, seedTwoSites, type TwoSites } from '../../../test/two-sites';

let s: TestServer;
let w: TwoSites;

beforeAll(async () => {
  s = await startTestServer();
  w = await seedTwoSites(s);
});
afterAll(() => s?.stop());

type Outcome = 200 | 201 | 400 | 403 | 404;
interface Expect {
  get: Outcome;
  patch: Outcome;
  delete: Outcome;
  checkIn: Outcome;
  checkOut: Outcome;
  /** POST /visits at S1 with themselves as host. */
  create: Outcome;
  /** POST /visits at S1 for another host of S1 (memberS1; for memberS1 itself that is its own visit). */
  createForOther: Outcome;
}

const STAFF: Expect = {
  get: 200,
  patch: 200,
  delete: 200,
  checkIn: 201,
  checkOut: 200,
  create: 201,
  createForOther: 201,
};
/**
 * A visit at S1 hosted by memberS1. Staff of S1 do everything; its host sees, edits and cancels it; another member of
 * S1 is told no; someone without a role on S1 does not learn the visit exists.
 */
const EXPECT: Record<ActorName, Expect> = {
  tenantAdmin: STAFF,
  adminS1: STAFF,
  adminS1S2: STAFF,
  receptionistS1: STAFF,
  memberS1: { get: 200, patch: 200, delete: 200, checkIn: 403, checkOut: 403, create: 201, createForOther: 201 },
  memberS1AdminS2: { get: 403, patch: 403, delete: 403, checkIn: 403, checkOut: 403, create: 201, createForOther: 403 },
  memberS2: { get: 404, patch: 404, delete: 404, checkIn: 404, checkOut: 404, create: 404, createForOther: 404 },
};

const times = () => ({
  expectedArrival: new Date(Date.now() - 60_000).toISOString(),
  expectedDeparture: new Date(Date.now() + 3600_000).toISOString(),
});

async function visitAtS1(hostUserId = w.userIds.memberS1): Promise<Visit> {
  const res = await api(s, w.tokens.tenantAdmin).post('/visits', {
    siteId: w.s1,
    visitor: { name: 'Grace Hopper' },
    hostUserId,
    ...times(),
  });
  expect(res.status).toBe(201);
  return jsonOf<Visit>(res);
}

describe(`visits × two sites on ${testBackend()}`, () => {
  for (const actor of ACTORS) {
    it(`${actor}: create, get, patch, delete, check-in and check-out of a visit at S1 hosted by memberS1`, async () => {
      const as = api(s, w.tokens[actor]);
      const want = EXPECT[actor];
      const create = (hostUserId?: string) =>
        as.post('/visits', { siteId: w.s1, visitor: { name: 'Ada Lovelace' }, ...times(), ...{ hostUserId } });
      expect((await create()).status, 'create').toBe(want.create);
      expect((await create(w.userIds.memberS1)).status, 'create for memberS1').toBe(want.createForOther);

      const visit = await visitAtS1();
      expect((await as.get(`/visits/${visit.id}`)).status, 'get').toBe(want.get);
      expect((await as.patch(`/visits/${visit.id}`, { visitor: { company: 'Navy' } })).status, 'patch').toBe(
        want.patch,
      );
      expect((await as.post(`/visits/${visit.id}/check-in`)).status, 'check-in').toBe(want.checkIn);
      const checkedIn = await visitAtS1();
      expect((await api(s, w.tokens.tenantAdmin).post(`/visits/${checkedIn.id}/check-in`)).status).toBe(201);
      expect((await as.post(`/visits/${checkedIn.id}/check-out`)).status, 'check-out').toBe(want.checkOut);
      const cancellable = await visitAtS1();
      expect((await as.delete(`/visits/${cancellable.id}`)).status, 'delete').toBe(want.delete);
    });
  }

  it('a visit cannot be handed to a user of another site, on create or by PATCH', async () => {
    const staff = api(s, w.tokens.receptionistS1);
    const created = await staff.post('/visits', {
      siteId: w.s1,
      visitor: { name: 'Ada Lovelace' },
      hostUserId: w.userIds.memberS2,
      ...times(),
    });
    expect(created.status).toBe(400);
    expect((await errorOf(created)).details?.field).toBe('hostUserId');

    const visit = await visitAtS1();
    const patched = await staff.patch(`/visits/${visit.id}`, { hostUserId: w.userIds.memberS2 });
    expect(patched.status).toBe(400);
    expect((await errorOf(patched)).details?.field).toBe('hostUserId');
    // Its host cannot hand it over either, to anyone: choosing another host is for reception staff.
    const host = api(s, w.tokens.memberS1);
    expect((await host.patch(`/visits/${visit.id}`, { hostUserId: w.userIds.memberS2 })).status).toBe(403);
    expect((await host.patch(`/visits/${visit.id}`, { hostUserId: w.userIds.memberS1AdminS2 })).status).toBe(403);
    expect((await jsonOf<Visit>(await host.get(`/visits/${visit.id}`))).hostUserId).toBe(w.userIds.memberS1);
    // Other users of S1 are fine hosts: its site admin, and the admin of S2 through the member role they hold on S1.
    const toAdminS2 = await staff.patch(`/visits/${visit.id}`, { hostUserId: w.userIds.adminS1 });
    expect(toAdminS2.status).toBe(200);
    const toMemberS1 = await staff.patch(`/visits/${visit.id}`, { hostUserId: w.userIds.memberS1AdminS2 });
    expect(toMemberS1.status).toBe(200);
    expect((await jsonOf<Visit>(toMemberS1)).hostUserId).toBe(w.userIds.memberS1AdminS2);
    // A disabled user is no host.
    await api(s, w.tokens.tenantAdmin).patch(`/users/${w.userIds.memberS2}`, { status: 'disabled' });
    expect((await staff.patch(`/visits/${visit.id}`, { hostUserId: w.userIds.memberS2 })).status).toBe(400);
  });
});
