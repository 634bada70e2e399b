import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AgentVoucher } from '@atrium/protocol';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { type RunningAgent, startAgent } from '../agent';
import { loadAgentConfig } from '../config';
import { radclient } from '../radius/test-support';
import { issueTestPki } from './test-pki';

// The real agent (link, store, RADIUS) against a WSS peer that plays the server and cuts reconciles short at will.
const SECRET = 'reconcile-test-secret';
const TENANT = '00000000-0000-4000-8000-0000000000a1';
const SITE = '00000000-0000-4000-8000-0000000000b2';
let dir: string;
let server: https.Server;
let agent: RunningAgent;
/** What the peer does with each new agent connection, in order. */
const scripts: Array<(ws: WebSocket, status: { features?: string[] }) => void> = [];
const closes: number[] = [];
let connections = 0;

const voucher = (n: number, version = 1): AgentVoucher => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  username: `guest${n}`,
  password: `pw-${n}`,
  validFrom: new Date(Date.now() - 3600_000).toISOString(),
  validUntil: new Date(Date.now() + 3600_000).toISOString(),
  version,
});

function send(ws: WebSocket, vouchers: AgentVoucher[], part?: { set: string; index: number; last: boolean }) {
  const parts = part ? { part: { ...part, total: 2 } } : {};
  ws.send(JSON.stringify({ v: 1, id: randomUUID(), type: 'vouchers.reconcile', vouchers, ...parts }));
}

async function until(check: () => boolean, what: string) {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function login(n: number): Promise<string | undefined> {
  const reply = await radclient(agent.ports.auth, 'auth', SECRET, `User-Name = "guest${n}", User-Password = "pw-${n}"`);
  return reply.reply?.code;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-reconcile-'));
  const pki = issueTestPki(dir, { tenantId: TENANT, siteId: SITE });
  server = https.createServer({
    cert: pki.serverCert,
    key: pki.serverKey,
    ca: pki.ca,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    const script = scripts[connections++];
    ws.on('close', (code) => closes.push(code));
    ws.once('message', (data) => script?.(ws, JSON.parse(data.toString()) as { features?: string[] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const config = loadAgentConfig({
    ATRIUM_SERVER_URL: `wss://localhost:${port}/agent/ws`,
    ATRIUM_TENANT_ID: TENANT,
    ATRIUM_SITE_ID: SITE,
    RADIUS_SECRET: SECRET,
    RADIUS_LISTEN_ADDR: '127.0.0.1:1812',
    ATRIUM_CERTS_DIR: dir,
    LOG_LEVEL: 'silent',
  });
  agent = await startAgent(
    { ...config, RADIUS_LISTEN_ADDR: { host: '127.0.0.1', port: 0 }, RADIUS_ACCT_ADDR: { host: '127.0.0.1', port: 0 } },
    pino({ level: 'silent' }),
  );
});

afterAll(async () => {
  await agent?.stop();
  server?.closeAllConnections();
  server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a reconcile in parts', () => {
  it('applies a set only after its last part; a cut or broken reconcile leaves the old set answering', async () => {
    const features: Array<string[] | undefined> = [];
    let first: WebSocket | undefined;
    // 1: an older server's single frame is still a whole set.
    scripts.push((ws, status) => {
      features.push(status.features);
      first = ws;
      send(ws, [voucher(1), voucher(2)]);
    });
    // 2: the link drops after the first part of a new set.
    scripts.push((ws) => {
      send(ws, [voucher(2, 2)], { set: 's2', index: 0, last: false });
      setTimeout(() => ws.terminate(), 100);
    });
    // 3: a part goes missing: the agent gives up on the set and reconnects.
    scripts.push((ws) => {
      send(ws, [voucher(3)], { set: 's3', index: 0, last: false });
      send(ws, [voucher(4)], { set: 's3', index: 2, last: true });
    });
    // 4: a whole set in three parts (the last one empty): it replaces the old one.
    scripts.push((ws) => {
      send(ws, [voucher(2, 2)], { set: 's4', index: 0, last: false });
      send(ws, [voucher(3)], { set: 's4', index: 1, last: false });
      send(ws, [], { set: 's4', index: 2, last: true });
    });

    await until(() => agent.link.reconciles === 1, 'the first reconcile');
    expect(features[0]).toContain('reconcile.parts');
    expect(agent.store.size).toBe(2);
    first?.terminate();

    await until(() => connections === 3 && closes.includes(1008), 'the broken reconcile to be abandoned');
    // Neither the cut nor the broken set touched what RADIUS answers from.
    expect(agent.link.reconciles).toBe(1);
    expect(agent.store.size).toBe(2);
    expect(agent.store.get(voucher(2).id)?.version).toBe(1);
    expect(agent.store.findByUsername('guest3')).toBeUndefined();
    expect(await login(1)).toBe('Access-Accept');

    await until(() => agent.link.reconciles === 2, 'the complete reconcile');
    expect(agent.store.size).toBe(2);
    expect(agent.store.get(voucher(2).id)?.version).toBe(2);
    expect(await login(3)).toBe('Access-Accept');
    // Voucher 1 was not in the new set: it is gone.
    expect(await login(1)).toBe('Access-Reject');
    expect(agent.store.get(voucher(1).id)).toBeUndefined();
  }, 60_000);
});
