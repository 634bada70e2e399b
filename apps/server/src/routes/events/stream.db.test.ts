import type { CreatedVisit } from '@atrium/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/actors';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { seedTwoSites, type TwoSites } from '../../../test/two-sites';

let s: TestServer;
let w: TwoSites;
const aborts: AbortController[] = [];
beforeAll(async () => {
  s = await startTestServer();
  w = await seedTwoSites(s);
});
afterAll(async () => {
  for (const abort of aborts) abort.abort();
  await s?.stop();
});

/** Opens the dashboard stream as `token`; `until` reads until the text so far matches, or the stream ends. */
async function openStream(token: string) {
  const abort = new AbortController();
  aborts.push(abort);
  const res = await fetch(`${s.url}/api/v1/events/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let ended = false;
  const until = async (done: (text: string) => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!done(text) && !ended && Date.now() < deadline) {
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), deadline - Date.now()));
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk === 'timeout') break;
      if (chunk.done) ended = true;
      else text += decoder.decode(chunk.value, { stream: true });
    }
    return { text, ended };
  };
  return { res, until };
}

async function visitAt(siteId: string): Promise<CreatedVisit> {
  const now = Date.now();
  return jsonOf<CreatedVisit>(
    await api(s, w.tokens.tenantAdmin).post('/visits', {
      siteId,
      visitor: { name: 'Stream Visitor' },
      expectedArrival: new Date(now).toISOString(),
      expectedDeparture: new Date(now + 3600_000).toISOString(),
    }),
  );
}

describe(`GET /events/stream on ${testBackend()}`, () => {
  it('streams the events of the user’s own sites, ids only, and not the other site’s', async () => {
    const stream = await openStream(w.tokens.receptionistS1);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toContain('text/event-stream');
    expect(stream.res.headers.get('cache-control')).toBe('no-store');
    expect((await stream.until((t) => t.includes('retry:'))).text).toMatch(/^retry: 3000\n\n/);

    const elsewhere = await visitAt(w.s2);
    const here = await visitAt(w.s1);
    const { text } = await stream.until((t) => t.includes(here.id));
    expect(text).toContain(
      `event: visit.created\ndata: ${JSON.stringify({ siteId: w.s1, visitId: here.id, sendInvitation: true })}\n\n`,
    );
    expect(text).toMatch(/id: \d+\nevent: visit.created/);
    expect(text).not.toContain(elsewhere.id);
    expect(text).not.toContain('Stream Visitor');
  });

  it('ends the stream when its user is disabled', async () => {
    const stream = await openStream(w.tokens.adminS1S2);
    await stream.until((t) => t.includes('retry:'));
    const disabled = await api(s, w.tokens.tenantAdmin).patch(`/users/${w.userIds.adminS1S2}`, { status: 'disabled' });
    expect(disabled.status).toBe(200);
    expect((await stream.until(() => false)).ended).toBe(true);
  });

  it('is refused without a token (401) and to staff who see no dashboard (403)', async () => {
    const anonymous = await fetch(`${s.url}/api/v1/events/stream`);
    expect([anonymous.status, (await errorOf(anonymous)).code]).toEqual([401, 'unauthorized']);
    const member = await fetch(`${s.url}/api/v1/events/stream`, {
      headers: { authorization: `Bearer ${w.tokens.memberS1}` },
    });
    expect([member.status, (await errorOf(member)).code]).toEqual([403, 'forbidden']);
  });
});
