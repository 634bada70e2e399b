import type { CheckInResponse, CreatedVisit, Message } from '@atrium/protocol';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, pairKiosk, scan, signInAdmin } from '../../test/actors';
import { testClock } from '../../test/clock';
import { testBackend } from '../../test/db';
import { startTestServer, type TestServer } from '../../test/http';
import { errorOf, jsonOf } from '../../test/json';
import { decodeQrPng, icsProperties, icsTime } from '../../test/qr';
import { startTestSmtp, type TestSmtp } from '../../test/smtp';
import { bootstrap } from '../bootstrap';

const HOST = 'host@example.test';
const clock = testClock();
let smtp: TestSmtp;
let s: TestServer;
let admin: string;
let siteId: string;
let kiosk: { token: string; kioskId: string };

beforeAll(async () => {
  smtp = await startTestSmtp();
  s = await startTestServer({
    now: clock.now,
    config: { SMTP_URL: smtp.url, SMTP_FROM: 'Atrium <visitors@example.test>', SMTP_TLS_CA_FILE: smtp.caFile },
    messages: { retryBaseMs: 300, pollMs: 250 },
  });
  const boot = await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: HOST, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  if (!boot.created) throw new Error('no tenant');
  siteId = boot.siteId;
  admin = (await signInAdmin(s, HOST)).accessToken;
  kiosk = await pairKiosk(s, admin, siteId, clock.advance, 'Main lobby');
  const site = await api(s, admin).patch(`/sites/${siteId}`, {
    name: 'Berlin Office',
    timezone: 'Europe/Berlin',
    address: 'Hauptstraße 1\n10115 Berlin',
  });
  expect(site.status).toBe(200);
});
afterAll(async () => {
  await s?.stop();
  await smtp?.close();
});

const hours = (n: number) => new Date(clock.now().getTime() + n * 3600_000);
const to = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a?.value ?? []);
const mailsTo = (address: string) => smtp.received.filter((mail) => to(mail).some((a) => a.address === address));

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const mailTo = (address: string, count = 1, timeoutMs?: number) =>
  until(`${count} mail(s) to ${address}`, () => mailsTo(address).length >= count && mailsTo(address), timeoutMs);

async function newVisit(visitor: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const res = await api(s, admin).post('/visits', {
    siteId,
    visitor: { name: 'Ada Lovelace', company: 'Analytical Engines', ...visitor },
    expectedArrival: hours(-0.5).toISOString(),
    expectedDeparture: hours(4).toISOString(),
    ...extra,
  });
  expect(res.status).toBe(201);
  return jsonOf<CreatedVisit>(res);
}

const messages = async (query = '') => jsonOf<Message[]>(await api(s, admin).get(`/messages${query}`));
const calendarOf = (mail: ParsedMail) => {
  const part = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
  if (!part) throw new Error('no calendar part');
  return icsProperties(part.content.toString('utf8'));
};

describe(`email on ${testBackend()}`, () => {
  it('invites the visitor with an inline QR code the kiosk accepts and a calendar entry at the right times', async () => {
    const visit = await newVisit({ email: 'ada@example.test' });
    const [mail] = await mailTo('ada@example.test');
    expect(mail!.subject).toMatch(/^Your visit to Berlin Office on /);
    expect(mail!.text).toContain('Hauptstraße 1');
    const berlin = new Intl.DateTimeFormat('en-GB', {
      dateStyle: 'full',
      timeStyle: 'short',
      timeZone: 'Europe/Berlin',
    });
    expect(mail!.text).toContain(berlin.format(new Date(visit.expectedArrival)));
    // mailparser inlines the cid: reference it resolved as a data: URL.
    expect(mail!.html).toMatch(/<img src="data:image\/png;base64,/);

    const image = mail!.attachments.find((a) => a.contentId === '<visit-qr@atrium>' || a.cid === 'visit-qr@atrium');
    expect(image?.contentType).toBe('image/png');
    const token = decodeQrPng(image!.content);
    const checkIn = await api(s, kiosk.token).post('/kiosk/check-ins', scan(token, clock.now()));
    expect(checkIn.status).toBe(201);
    expect((await jsonOf<CheckInResponse>(checkIn)).visitId).toBe(visit.id);

    const ics = calendarOf(mail!);
    expect(ics.get('METHOD')).toEqual(['REQUEST']);
    expect(ics.get('UID')).toEqual([`${visit.id}@atrium`]);
    expect(icsTime(ics.get('DTSTART')![0]!).getTime()).toBe(
      Math.floor(Date.parse(visit.expectedArrival) / 1000) * 1000,
    );
    expect(icsTime(ics.get('DTEND')![0]!).getTime()).toBe(
      Math.floor(Date.parse(visit.expectedDeparture) / 1000) * 1000,
    );
  });

  it('tells the host within 5 s of a check-in, and emails the visitor their WiFi details', async () => {
    const visit = await newVisit({ email: 'grace@example.test', name: 'Grace Hopper', company: 'Navy' });
    await mailTo('grace@example.test');
    const before = mailsTo(HOST).length;
    const started = Date.now();
    const res = await api(s, admin).post(`/visits/${visit.id}/check-in`, {});
    expect(res.status).toBe(201);
    const voucher = (await jsonOf<CheckInResponse>(res)).voucher;
    const arrival = (await mailTo(HOST, before + 1, 5_000)).at(-1)!;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(arrival.subject).toBe('Grace Hopper has arrived at Berlin Office');
    expect(arrival.text).toContain('Navy');
    const wifi = (await mailTo('grace@example.test', 2)).at(-1)!;
    expect(wifi.subject).toBe('Your WiFi at Berlin Office');
    expect(wifi.text).toContain(voucher.username);
    expect(wifi.text).toContain(voucher.password);
  });

  it('notifies the host once when an offline check-in syncs, however often the kiosk resends it', async () => {
    const visit = await newVisit({ name: 'Katherine Johnson' }, { sendInvitation: false });
    const queued = { ...scan(visit.qrToken, new Date(clock.now().getTime() - 10 * 60_000)), offline: true };
    expect((await api(s, kiosk.token).post('/kiosk/check-ins', queued)).status).toBe(201);
    expect((await api(s, kiosk.token).post('/kiosk/check-ins', queued)).status).toBe(200);
    const arrivals = () => mailsTo(HOST).filter((m) => m.subject?.startsWith('Katherine Johnson has arrived'));
    const [mail] = await until('the offline arrival', () => arrivals().length > 0 && arrivals());
    expect(mail!.text).toContain('Main lobby');
    expect(mail!.text).toContain('offline');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(arrivals()).toHaveLength(1);
  });

  it('delivers every message exactly once after the SMTP server comes back', async () => {
    await smtp.down();
    const addresses = ['down1@example.test', 'down2@example.test', 'down3@example.test'];
    for (const email of addresses) await newVisit({ email });
    try {
      // Attempts fail while the relay is away; the messages stay queued with the reason.
      let waiting: Message[] = [];
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        waiting = (await messages('?state=queued')).filter((m) => m.kind === 'invitation');
        if (waiting.length >= 3 && waiting.every((m) => /ECONNREFUSED/.test(m.lastError ?? ''))) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(waiting.length, JSON.stringify(waiting)).toBe(3);
      expect(
        waiting.every((m) => /ECONNREFUSED/.test(m.lastError ?? '')),
        JSON.stringify(waiting),
      ).toBe(true);
    } finally {
      await smtp.up();
    }
    for (const email of addresses) await mailTo(email, 1, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const email of addresses) expect(mailsTo(email)).toHaveLength(1);
  });

  it('marks a message refused with 550 as failed, with the reason, and retries it on request', async () => {
    smtp.refuse(/^bounce@/);
    const visit = await newVisit({ email: 'bounce@example.test' });
    let list: Message[] = [];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      list = await messages(`?state=failed&visitId=${visit.id}`);
      if (list.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ kind: 'invitation', state: 'failed', attempts: 1, visitId: visit.id });
    expect(list[0]!.lastError).toMatch(/550/);
    smtp.refuse(/^$/);
    const retried = await api(s, admin).post(`/messages/${list[0]!.id}/retry`);
    expect(retried.status).toBe(200);
    await mailTo('bounce@example.test');
    const again = await api(s, admin).post(`/messages/${list[0]!.id}/retry`);
    expect((await errorOf(again)).code).toBe('message_not_failed');
  });

  it('writes in the visitor language (de) or the site language (en), and re-sends on request with 202', async () => {
    const visit = await newVisit({ email: 'lise@example.test', name: 'Lise Meitner', language: 'de' });
    const [mail] = await mailTo('lise@example.test');
    expect(mail!.subject).toMatch(/^Ihr Besuch bei Berlin Office am /);
    expect(mail!.html).toContain('Willkommen, Lise Meitner');
    expect(mail!.text).toContain('Ankunft');
    const resent = await api(s, admin).post(`/visits/${visit.id}/invitation`);
    expect(resent.status).toBe(202);
    expect(await resent.json()).toMatchObject({ state: 'queued' });
    await mailTo('lise@example.test', 2);
    const noEmail = await newVisit({ name: 'No Mail' });
    const refused = await api(s, admin).post(`/visits/${noEmail.id}/invitation`);
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).code).toBe('visitor_has_no_email');
  });

  it('withdraws the calendar entry when a visit is cancelled, and re-invites with a new code when it moves', async () => {
    const visit = await newVisit({ email: 'emmy@example.test', name: 'Emmy Noether' });
    const [first] = await mailTo('emmy@example.test');
    const moved = await api(s, admin).patch(`/visits/${visit.id}`, { expectedDeparture: hours(6).toISOString() });
    expect(moved.status).toBe(200);
    const second = (await mailTo('emmy@example.test', 2)).at(-1)!;
    const codeOf = (mail: ParsedMail) =>
      decodeQrPng(mail.attachments.find((a) => a.contentType === 'image/png')!.content);
    expect(codeOf(second)).not.toBe(codeOf(first!));
    const departure = Date.parse((await jsonOf<{ expectedDeparture: string }>(moved)).expectedDeparture);
    expect(icsTime(calendarOf(second).get('DTEND')![0]!).getTime()).toBe(Math.floor(departure / 1000) * 1000);
    expect((await api(s, admin).delete(`/visits/${visit.id}`)).status).toBe(200);
    const cancelled = (await mailTo('emmy@example.test', 3)).at(-1)!;
    expect(cancelled.subject).toMatch(/^Cancelled: /);
    expect(calendarOf(cancelled).get('METHOD')).toEqual(['CANCEL']);
    expect(calendarOf(cancelled).get('UID')).toEqual([`${visit.id}@atrium`]);
  });

  it('sends each message once when two replicas deliver from the same database', async () => {
    const replica = await startTestServer({
      replicaOf: s,
      now: clock.now,
      config: { SMTP_URL: smtp.url, SMTP_FROM: 'Atrium <visitors@example.test>', SMTP_TLS_CA_FILE: smtp.caFile },
      messages: { retryBaseMs: 300, pollMs: 100 },
    });
    try {
      const addresses = ['pair1@example.test', 'pair2@example.test', 'pair3@example.test', 'pair4@example.test'];
      for (const email of addresses) await newVisit({ email });
      for (const email of addresses) await mailTo(email);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      for (const email of addresses) expect(mailsTo(email)).toHaveLength(1);
    } finally {
      await replica.stop();
    }
  });

  it('sends no arrival email to a host who turned them off', async () => {
    const off = await api(s, admin).post('/me/notifications', { emailOnArrival: false });
    expect(await off.json()).toEqual({ emailOnArrival: false });
    expect(
      await jsonOf<{ emailOnArrival: boolean; emailConfigured: boolean }>(await api(s, admin).get('/me')),
    ).toMatchObject({
      emailOnArrival: false,
      emailConfigured: true,
    });
    const visit = await newVisit({ name: 'Quiet Visitor' }, { sendInvitation: false });
    expect((await api(s, admin).post(`/visits/${visit.id}/check-in`, {})).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(mailsTo(HOST).filter((m) => m.subject?.startsWith('Quiet Visitor'))).toHaveLength(0);
    await api(s, admin).post('/me/notifications', { emailOnArrival: true });
  });
});
