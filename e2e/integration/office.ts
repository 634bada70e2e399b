import type { CreatedVisit } from '@atrium/protocol';
import { ADMIN_PASSWORD, api, bootstrap, jsonOf, scan, signInAdmin, type TestServer } from '@atrium/server/testing';

/** What POST /agents hands the admin once: the agent's certificate bundle and the variables it runs with. */
export interface Registration {
  agent: { id: string; siteId: string; name: string };
  bundle: { cert: string; key: string; ca: string };
  env: Record<string, string>;
}

export interface Office {
  tenantId: string;
  siteId: string;
  /** The first admin's access token. */
  admin: string;
  registration: Registration;
}

/** A first start as an office makes it: the bootstrapped tenant, its admin signed in, one agent registered. */
export async function seedOffice(s: TestServer, options: { email: string; agentName: string }): Promise<Office> {
  const boot = await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: options.email, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  if (!boot.created) throw new Error('no tenant');
  const admin = (await signInAdmin(s, options.email)).accessToken;
  const res = await api(s, admin).post('/agents', { siteId: boot.siteId, name: options.agentName });
  if (res.status !== 201) throw new Error(`agent registration: ${res.status} ${await res.text()}`);
  return { tenantId: boot.tenantId, siteId: boot.siteId, admin, registration: await jsonOf<Registration>(res) };
}

/** A visit booked now for an hour and checked in at the kiosk: the visit and the WiFi voucher it got. */
export async function checkInVisitor(
  s: TestServer,
  office: Office,
  kioskToken: string,
  clock: { now: () => Date },
  name: string,
): Promise<{ visit: CreatedVisit; voucher: { username: string; password: string } }> {
  const visit = await jsonOf<CreatedVisit>(
    await api(s, office.admin).post('/visits', {
      siteId: office.siteId,
      visitor: { name },
      expectedArrival: clock.now().toISOString(),
      expectedDeparture: new Date(clock.now().getTime() + 3600_000).toISOString(),
    }),
  );
  const res = await api(s, kioskToken).post('/kiosk/check-ins', scan(visit.qrToken, clock.now()));
  if (res.status !== 201) throw new Error(`check-in: ${res.status} ${await res.text()}`);
  return { visit, voucher: (await jsonOf<{ voucher: { username: string; password: string } }>(res)).voucher };
}
