/**
 * The agent's memory with 0, 10k and 100k vouchers, and how long a reconcile of 100k takes: the agent runs as it
 * ships (bundled by apps/agent/build.mjs, plain node with the Dockerfile's flags), connected over mTLS to a WSS peer in
 * this process that plays the server's hub: it waits for agent.status and sends the set as the hub does (parts of
 * RECONCILE_PART_SIZE to an agent that announces reconcile.parts, else one frame). RSS is read from /proc after the
 * agent logged the reconcile and settled. The floor beside it: the same node binary running an empty script.
 *
 *   npm run bench:agent-memory     (BENCH_AGENT_SIZES=0,10000,100000 BENCH_AGENT_BUNDLE=prebuilt.mjs)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { issueTestPki } from '@atrium/agent/testing';
import { AGENT_FEATURES, type AgentVoucher, RECONCILE_PART_SIZE } from '@atrium/protocol';
import { WebSocketServer } from 'ws';
import { report, round } from './lib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = (process.env.BENCH_AGENT_SIZES ?? '0,10000,100000').split(',').map(Number);
const TENANT = '00000000-0000-4000-8000-00000000aa01';
const SITE = '00000000-0000-4000-8000-00000000bb02';
const NODE_FLAGS = [
  '--max-semi-space-size=1',
  ...(process.env.BENCH_AGENT_NODE_FLAGS ?? '').split(' ').filter(Boolean),
];
/** After the reconcile the agent idles this long before RSS is read: V8 collects the reconcile's garbage after ~8 s idle. */
const SETTLE_MS = Number(process.env.BENCH_AGENT_SETTLE_MS ?? 10_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMb(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

function makeVouchers(count: number): AgentVoucher[] {
  const from = new Date(Date.now() - 3600_000).toISOString();
  const until = new Date(Date.now() + 8 * 3600_000).toISOString();
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    username: `guest-${i.toString(36).padStart(6, '0')}`,
    password: randomBytes(6).toString('base64url'),
    validFrom: from,
    validUntil: until,
    version: 1,
  }));
}

/** The reconcile frames as the hub makes them (apps/server/src/agents/voucher-feed.ts). */
function frames(vouchers: AgentVoucher[], features: string[] | undefined): string[] {
  const frame = (list: AgentVoucher[], part?: object) =>
    JSON.stringify({ v: 1, id: randomUUID(), type: 'vouchers.reconcile', vouchers: list, ...(part ? { part } : {}) });
  if (!features?.includes(AGENT_FEATURES.reconcileParts)) return [frame(vouchers)];
  const set = randomUUID();
  const count = Math.max(1, Math.ceil(vouchers.length / RECONCILE_PART_SIZE));
  return Array.from({ length: count }, (_, index) =>
    frame(vouchers.slice(index * RECONCILE_PART_SIZE, (index + 1) * RECONCILE_PART_SIZE), {
      set,
      index,
      last: index === count - 1,
      total: vouchers.length,
    }),
  );
}

function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) =>
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    }),
  );
}

interface Measured {
  vouchers: number;
  rssMb: number;
  peakRssMb: number;
  reconcileMs: number;
  inParts: boolean;
  error?: string;
}

async function measure(bundle: string, pkiDir: string, pki: ReturnType<typeof issueTestPki>, size: number) {
  const vouchers = makeVouchers(size);
  const server = https.createServer({
    cert: pki.serverCert,
    key: pki.serverKey,
    ca: pki.ca,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 * 1024 });
  let sentAt = 0;
  let inParts = false;
  wss.on('connection', (ws) => {
    ws.once('message', (data) => {
      const status = JSON.parse(data.toString()) as { features?: string[] };
      const list = frames(vouchers, status.features);
      inParts = list.length > 1 || status.features !== undefined;
      sentAt = performance.now();
      for (const frame of list) ws.send(frame);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const child: ChildProcess = spawn(process.execPath, [...NODE_FLAGS, bundle], {
    env: {
      PATH: process.env.PATH,
      ATRIUM_SERVER_URL: `wss://localhost:${port}/agent/ws`,
      ATRIUM_TENANT_ID: TENANT,
      ATRIUM_SITE_ID: SITE,
      ATRIUM_CERTS_DIR: pkiDir,
      RADIUS_SECRET: 'bench-agent-secret',
      RADIUS_LISTEN_ADDR: `127.0.0.1:${await freeUdpPort()}`,
      RADIUS_ACCT_LISTEN_ADDR: `127.0.0.1:${await freeUdpPort()}`,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const reconciledAt = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reconcile of ${size} within 120 s`)), 120_000);
      child.once('exit', (code) => reject(new Error(`agent exited with ${code}`)));
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('reconciled the voucher set')) {
          clearTimeout(timer);
          resolve(performance.now());
        } else if (line.includes('"level":40') && line.includes('frame')) {
          clearTimeout(timer);
          reject(new Error(`agent: ${JSON.parse(line).msg}`));
        }
      });
    });
    await sleep(SETTLE_MS);
    const memory = rssMb(child.pid!);
    return {
      vouchers: size,
      rssMb: round(memory.rss, 1),
      peakRssMb: round(memory.peak, 1),
      reconcileMs: round(reconciledAt - sentAt, 1),
      inParts,
    } satisfies Measured;
  } catch (error) {
    return {
      vouchers: size,
      rssMb: Number.NaN,
      peakRssMb: Number.NaN,
      reconcileMs: Number.NaN,
      inParts,
      error: String(error),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
    for (const client of wss.clients) client.terminate();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The floor: node itself with the same flags and nothing loaded. */
async function nodeFloorMb(): Promise<number> {
  const child = spawn(process.execPath, [...NODE_FLAGS, '-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  await sleep(1000);
  const { rss } = rssMb(child.pid!);
  child.kill();
  return rss;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-bench-agent-memory-'));
  try {
    const pki = issueTestPki(dir, { tenantId: TENANT, siteId: SITE });
    const bundle = process.env.BENCH_AGENT_BUNDLE ?? path.join(dir, 'agent.mjs');
    if (!process.env.BENCH_AGENT_BUNDLE) {
      execFileSync(process.execPath, [
        path.join(root, 'apps/agent/build.mjs'),
        path.join(root, 'apps/agent/src/main.ts'),
        bundle,
      ]);
    }
    const floor = await nodeFloorMb();
    const results: Measured[] = [];
    for (const size of SIZES) {
      process.stderr.write(`  agent with ${size} vouchers...\n`);
      results.push(await measure(bundle, dir, pki, size));
    }
    const at = (n: number) => results.find((r) => r.vouchers === n);
    const rss100k = at(100_000)?.rssMb ?? Number.NaN;
    const lines = [
      '',
      `Agent memory: the bundled agent over mTLS to a WSS peer playing the hub; RSS ${SETTLE_MS / 1000} s after the reconcile`,
      '  vouchers    RSS MB   peak MB   reconcile ms   in parts',
      ...results.map(
        (r) =>
          `${String(r.vouchers).padStart(10)}  ${String(r.rssMb).padStart(8)}  ${String(r.peakRssMb).padStart(8)}  ${String(r.reconcileMs).padStart(13)}   ${r.inParts ? 'yes' : 'no'}${r.error ? `  ${r.error}` : ''}`,
      ),
      `floor: node alone with the same flags ${round(floor, 1)} MB`,
      `goal: RSS < 100 MB at 100k ${rss100k < 100 ? 'met' : 'MISSED'}`,
      '',
    ];
    report('agent-memory', lines, {
      node_floor_rss_mb: round(floor, 1),
      ...Object.fromEntries(
        results.flatMap((r) => [
          [`rss_mb_${r.vouchers}`, r.rssMb],
          [`reconcile_ms_${r.vouchers}`, r.reconcileMs],
        ]),
      ),
    });
    if (results.some((r) => r.error)) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench:agent-memory: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
