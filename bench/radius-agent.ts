/**
 * The agent's RADIUS side alone, for bench/radius.ts: the VoucherStore filled from a vouchers file (as a reconcile would
 * fill it) and the RadiusServer on a free 127.0.0.1 port; no server link. Speaks JSON lines: prints `{"auth":port}` when
 * listening, then answers `stats` and `reconcile` on stdin; exits when stdin closes.
 *
 *   BENCH_SECRET=… BENCH_VOUCHERS_FILE=/tmp/…/vouchers.json node --expose-gc <bundle of this file made by apps/agent/build.mjs>
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline';
import { RadiusServer, type VoucherInput, VoucherStore } from '@atrium/agent/testing/radius';

const RECONCILE_SIZE = 10_000;
const RECONCILE_RUNS = 5;

function reconcileList(size: number): VoucherInput[] {
  const from = new Date(Date.now() - 3600_000).toISOString();
  const until = new Date(Date.now() + 8 * 3600_000).toISOString();
  return Array.from({ length: size }, (_, i) => ({
    id: randomUUID(),
    username: `guest-r${i.toString(36).padStart(5, '0')}`,
    password: randomBytes(6).toString('base64url'),
    validFrom: from,
    validUntil: until,
    version: 1,
  }));
}

/** Reconcile as the agent does it: the server's frame parsed, then the whole set swapped in. */
function measureReconcile(): { replaceAllMs: number[]; parseAndReplaceMs: number[] } {
  const replaceAllMs: number[] = [];
  const parseAndReplaceMs: number[] = [];
  for (let run = 0; run < RECONCILE_RUNS; run++) {
    const frame = JSON.stringify({ v: 1, type: 'vouchers.reconcile', vouchers: reconcileList(RECONCILE_SIZE) });
    const store = new VoucherStore();
    const parseStarted = performance.now();
    const list = (JSON.parse(frame) as { vouchers: VoucherInput[] }).vouchers;
    const started = performance.now();
    store.replaceAll(list);
    const ended = performance.now();
    if (store.size !== RECONCILE_SIZE) throw new Error(`reconcile kept ${store.size} of ${RECONCILE_SIZE}`);
    replaceAllMs.push(ended - started);
    parseAndReplaceMs.push(ended - parseStarted);
  }
  return { replaceAllMs, parseAndReplaceMs };
}

async function main() {
  const secret = process.env.BENCH_SECRET;
  const file = process.env.BENCH_VOUCHERS_FILE;
  if (!secret || !file) throw new Error('BENCH_SECRET and BENCH_VOUCHERS_FILE are required');
  // What node and the tsx loader cost before any voucher, to tell the agent's own share of the RSS.
  const baselineRss = process.memoryUsage().rss;
  const store = new VoucherStore();
  store.replaceAll(JSON.parse(fs.readFileSync(file, 'utf8')) as VoucherInput[]);
  const radius = new RadiusServer({
    secret,
    authAddr: { host: '127.0.0.1', port: 0 },
    acctAddr: { host: '127.0.0.1', port: 0 },
    store,
    requireMessageAuthenticator: 'yes',
  });
  // The real agent turns every auth event into a report for the server; here the events are only counted.
  let events = 0;
  radius.on('auth', () => {
    events++;
  });
  radius.on('warning', (error) => process.stderr.write(`radius-agent: ${error.message}\n`));
  const ports = await radius.listen();
  const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
  say({ auth: ports.auth, vouchers: store.size, baselineRss });

  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line === 'stats') {
      globalThis.gc?.();
      say({ counters: radius.counters, events, vouchers: store.size, heapUsed: process.memoryUsage().heapUsed });
    } else if (line === 'reconcile') {
      say(measureReconcile());
    }
  }
  await radius.close();
}

main().catch((error) => {
  process.stderr.write(`radius-agent: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
