/**
 * The agent's RADIUS server against Debian's FreeRADIUS 3 on the same work: the same vouchers (a users file for
 * FreeRADIUS), PAP with Message-Authenticator both ways, the same secret and the same replies (Session-Timeout,
 * Acct-Interim-Interval, Class; Reply-Message on reject). Both servers are pinned to core 0 and measured one after the
 * other, alternating; this process is the load generator, pinned to core 1, with a fixed number of requests in flight.
 * Every answer is checked: the code the request deserves, the Response Authenticator and the Message-Authenticator.
 * Each voucher count (1k and 100k) gets a fresh pair of servers, so the agent's lookup is seen not to slow with its
 * store. Throughput is the median round, the ratio the median of each back-to-back round pair's ratio, p99 over every
 * answer; never the best round.
 *
 *   npm run bench:radius     (BENCH_RADIUS_SIZES=1000,100000 BENCH_RADIUS_CONCURRENCY=16 BENCH_RADIUS_SECONDS=4 BENCH_RADIUS_ROUNDS=5)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  Attr,
  AUTHENTICATOR_LENGTH,
  Code,
  checkMessageAuthenticator,
  encode,
  encodeInteger,
  encodeIpaddr,
  encodeText,
  hidePassword,
  signAccessRequest,
  verifyResponseAuthenticator,
} from '@atrium/agent/testing/radius';
import { percentile, report, round } from './lib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FREERADIUS = '/usr/sbin/freeradius';
const SECRET = 'bench-radius-secret';
/** Voucher counts to run at: lookups must cost the same in a small store and in one of 100k. */
const SIZES = (process.env.BENCH_RADIUS_SIZES ?? '1000,100000').split(',').map(Number);
const CONCURRENCY = Number(process.env.BENCH_RADIUS_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_RADIUS_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_RADIUS_ROUNDS ?? 5);
const WARMUP_SECONDS = 1.5;
/** Requests built up front, so the load generator spends its core on sending and checking. */
const WORKLOAD = Math.floor(Number(process.env.BENCH_RADIUS_REQUESTS ?? 600_000) / CONCURRENCY) * CONCURRENCY;
const BAD_PASSWORD_SHARE = 0.1;
const REQUEST_TIMEOUT_MS = 1000;
/** BENCH_RADIUS_PROFILE=1 writes a V8 CPU profile of the agent to bench/results/ (open it in Chrome DevTools). */
const PROFILE = process.env.BENCH_RADIUS_PROFILE === '1';
const REJECT_MESSAGE = 'Invalid voucher code or password';
const SESSION_TIMEOUT = 8 * 3600;

interface BenchVoucher {
  id: string;
  username: string;
  password: string;
  validFrom: string;
  validUntil: string;
  version: number;
}

interface Workload {
  packets: Buffer[];
  /** 1 where the request carries the right password and must be accepted. */
  accept: Uint8Array;
}

interface RunResult {
  answered: number;
  elapsedMs: number;
  latencies: Float64Array;
  wrong: number;
  badSignature: number;
  timeouts: number;
  /** Core-seconds the server and this load generator used per wall second. */
  serverCpu: number;
  loadCpu: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function makeVouchers(count: number): BenchVoucher[] {
  const from = new Date(Date.now() - 3600_000).toISOString();
  const until = new Date(Date.now() + SESSION_TIMEOUT * 1000).toISOString();
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    username: `guest-${i.toString(36).padStart(6, '0')}`,
    password: Array.from(randomBytes(8), (b) => alphabet[b % alphabet.length]).join(''),
    validFrom: from,
    validUntil: until,
    version: 1,
  }));
}

/** Lane `k` owns RADIUS identifier `k`: a lane has one request in flight, so identifiers never collide. */
function buildWorkload(vouchers: BenchVoucher[], count: number): Workload {
  const packets: Buffer[] = new Array(count);
  const accept = new Uint8Array(count);
  const nasIp = encodeIpaddr('127.0.0.1');
  const calledStation = encodeText('AA-BB-CC-00-00-01:Guest');
  const portType = encodeInteger(19);
  for (let k = 0; k < count; k++) {
    const voucher = vouchers[randomInt(vouchers.length)]!;
    const good = Math.random() >= BAD_PASSWORD_SHARE;
    const authenticator = randomBytes(AUTHENTICATOR_LENGTH);
    const station = `02-00-${(k >>> 24) & 0xff}-${(k >>> 16) & 0xff}-${(k >>> 8) & 0xff}-${k & 0xff}`;
    const raw = encode({
      code: Code.AccessRequest,
      identifier: k % CONCURRENCY,
      authenticator,
      attributes: [
        { type: Attr.MessageAuthenticator, value: Buffer.alloc(AUTHENTICATOR_LENGTH) },
        { type: Attr.UserName, value: encodeText(voucher.username) },
        {
          type: Attr.UserPassword,
          value: hidePassword(good ? voucher.password : `${voucher.password}x`, SECRET, authenticator),
        },
        { type: Attr.NasIpAddress, value: nasIp },
        { type: Attr.CalledStationId, value: calledStation },
        { type: Attr.CallingStationId, value: encodeText(station) },
        { type: Attr.NasPortType, value: portType },
      ],
    });
    packets[k] = signAccessRequest(raw, SECRET);
    accept[k] = good ? 1 : 0;
  }
  return { packets, accept };
}

function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function memoryMb(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** Waits until core 0 is quiet: no server burns CPU from the previous run (FreeRADIUS cleans up for 5 s, V8 GCs). */
async function settle(pids: number[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last = pids.map(cpuTicks).join();
  while (Date.now() < deadline) {
    await sleep(400);
    const now = pids.map(cpuTicks).join();
    if (now === last) return;
    last = now;
  }
}

/**
 * Drives one server at CONCURRENCY requests in flight until `seconds` pass or a whole workload went. Each server's drives
 * go on through the workload where the last one stopped (`cursor`), so no request repeats within a server's duplicate
 * window: a retransmission would be answered from its cache, cheaper than the real work (or dropped while pending).
 */
async function drive(
  port: number,
  serverPid: number,
  workload: Workload,
  seconds: number,
  cursor: { at: number },
): Promise<RunResult> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { packets, accept } = workload;
  const lanes = CONCURRENCY;
  // Unwrapped positions (index = position % length); the workload's length is a multiple of the lane count.
  const next = Float64Array.from({ length: lanes }, (_, lane) => cursor.at + lane);
  const limit = cursor.at + packets.length;
  const inFlight = new Int32Array(lanes).fill(-1);
  const sentAt = new Float64Array(lanes);
  const latencies = new Float64Array(packets.length);
  let answered = 0;
  let wrong = 0;
  let badSignature = 0;
  let timeouts = 0;
  let busy = 0;

  const cpuBefore = cpuTicks(serverPid);
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let lastAnswer = started;

  return new Promise<RunResult>((resolve) => {
    const finish = () => {
      clearInterval(watchdog);
      cursor.at = Math.max(...Array.from(next, (position, lane) => position - lane));
      socket.close();
      const elapsedMs = lastAnswer - started;
      const own = process.cpuUsage(ownBefore);
      resolve({
        answered,
        elapsedMs,
        latencies: latencies.slice(0, answered).sort(),
        wrong,
        badSignature,
        timeouts,
        serverCpu: (cpuTicks(serverPid) - cpuBefore) / TICKS_PER_SECOND / (elapsedMs / 1000),
        loadCpu: (own.user + own.system) / 1000 / elapsedMs,
      });
    };
    const send = (lane: number, now: number) => {
      const position = next[lane]!;
      const index = position % packets.length;
      if (now >= deadline || position >= limit) {
        inFlight[lane] = -1;
        if (--busy === 0) finish();
        return;
      }
      next[lane] = position + lanes;
      inFlight[lane] = index;
      sentAt[lane] = now;
      socket.send(packets[index]!, port, '127.0.0.1');
    };
    socket.on('message', (reply, rinfo) => {
      const lane = reply[1]!;
      if (rinfo.port !== port || lane >= lanes || inFlight[lane]! < 0) return;
      const index = inFlight[lane]!;
      const now = performance.now();
      const request = packets[index]!.subarray(4, 4 + AUTHENTICATOR_LENGTH);
      if (
        !verifyResponseAuthenticator(reply, request, SECRET) ||
        checkMessageAuthenticator(reply, SECRET, request) !== 'valid'
      ) {
        badSignature++;
      } else if (reply[0] !== (accept[index] ? Code.AccessAccept : Code.AccessReject)) {
        wrong++;
      }
      latencies[answered++] = now - sentAt[lane]!;
      lastAnswer = now;
      send(lane, now);
    });
    const watchdog = setInterval(() => {
      const now = performance.now();
      for (let lane = 0; lane < lanes; lane++) {
        if (inFlight[lane]! >= 0 && now - sentAt[lane]! > REQUEST_TIMEOUT_MS) {
          timeouts++;
          send(lane, now);
        }
      }
    }, 100);
    busy = lanes;
    const now = performance.now();
    for (let lane = 0; lane < lanes; lane++) send(lane, now);
  });
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

/** Waits for a line on the child's stdout that `match` accepts; the child's death or silence is an error. */
function waitForLine<T>(child: ChildProcess, what: string, match: (line: string) => T | undefined, ms = 60_000) {
  return new Promise<T>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    const timer = setTimeout(() => done(new Error(`${what}: no answer within ${ms} ms`)), ms);
    const onExit = (code: number | null) => done(new Error(`${what}: exited with ${code}`));
    const done = (error?: Error, value?: T) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.off('line', onLine);
      lines.close();
      if (error) reject(error);
      else resolve(value as T);
    };
    const onLine = (line: string) => {
      const value = match(line);
      if (value !== undefined) done(undefined, value);
    };
    lines.on('line', onLine);
    child.once('exit', onExit);
  });
}

function parseJsonLine<T>(line: string): T | undefined {
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined;
  }
}

/** A FreeRADIUS configuration with nothing but what this work needs: one client, the files and pap modules. */
function writeFreeradiusConfig(dir: string, port: number, vouchers: BenchVoucher[]): void {
  const users = vouchers.map(
    (v) =>
      `${v.username} Cleartext-Password := "${v.password}"\n` +
      `\tSession-Timeout := ${SESSION_TIMEOUT}, Acct-Interim-Interval := 300, Class := "${v.id}"\n`,
  );
  fs.writeFileSync(path.join(dir, 'users'), users.join(''));
  fs.writeFileSync(
    path.join(dir, 'radiusd.conf'),
    `prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = ${dir}
raddbdir = ${dir}
radacctdir = ${dir}
name = freeradius
confdir = ${dir}
modconfdir = ${dir}
run_dir = ${dir}
libdir = /usr/lib/freeradius
pidfile = ${dir}/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 1048576
hostname_lookups = no
log {
  destination = stdout
  colourise = no
  auth = no
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
}
thread pool {
  start_servers = 4
  max_servers = 4
  min_spare_servers = 1
  max_spare_servers = 4
  max_requests_per_server = 0
  max_queue_size = 65536
}
client bench {
  ipaddr = 127.0.0.1
  secret = ${SECRET}
  require_message_authenticator = yes
}
modules {
  files {
    filename = ${dir}/users
  }
  pap {
  }
}
server default {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${port}
  }
  authorize {
    files
    pap
  }
  authenticate {
    Auth-Type PAP {
      pap
    }
  }
  post-auth {
    update reply {
      Message-Authenticator := 0x00
    }
    Post-Auth-Type REJECT {
      update reply {
        Reply-Message := "${REJECT_MESSAGE}"
        Message-Authenticator := 0x00
      }
    }
  }
}
`,
  );
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** A server's rounds: the median round's throughput (not the best), latency percentiles over every answer. */
function summary(runs: RunResult[]) {
  const pooled = Float64Array.from(runs.flatMap((r) => Array.from(r.latencies))).sort();
  const latencies = Array.from(pooled);
  return {
    rps: median(runs.map(rps)),
    all: runs.map((r) => round(rps(r), 0)),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failures: runs.reduce((n, r) => n + r.wrong + r.badSignature, 0),
    timeouts: runs.reduce((n, r) => n + r.timeouts, 0),
    serverCpu: median(runs.map((r) => r.serverCpu)),
    loadCpu: median(runs.map((r) => r.loadCpu)),
    // Other work on core 0 takes CPU from whichever server runs; requests per CPU-second of the server discount it.
    perCpuSecond: median(runs.map((r) => rps(r) / r.serverCpu)),
  };
}

const rps = (run: RunResult) => (run.answered / run.elapsedMs) * 1000;

interface SizeResult {
  vouchers: number;
  agent: ReturnType<typeof summary>;
  freeradius: ReturnType<typeof summary>;
  /** Agent ÷ FreeRADIUS throughput of each round pair (run back to back), and their median. */
  ratios: number[];
  ratio: number;
  agentRss: { rss: number; peak: number };
  freeradiusRss: { rss: number; peak: number };
  baselineRss: number;
  heapUsed: number;
  counters: { requests: number; dropped: number };
  reconcile?: { replaceAllMs: number[]; parseAndReplaceMs: number[] };
}

/** One voucher count: the agent and FreeRADIUS started fresh, ROUNDS alternating rounds, then both stopped. */
async function benchSize(count: number, dir: string, children: ChildProcess[]): Promise<SizeResult> {
  process.stderr.write(`Generating ${count} vouchers and ${WORKLOAD} requests...\n`);
  const vouchers = makeVouchers(count);
  const vouchersFile = path.join(dir, `vouchers-${count}.json`);
  fs.writeFileSync(vouchersFile, JSON.stringify(vouchers));
  const freeradiusPort = await freeUdpPort();
  const configDir = fs.mkdtempSync(path.join(dir, `freeradius-${count}-`));
  writeFreeradiusConfig(configDir, freeradiusPort, vouchers);
  const workload = buildWorkload(vouchers, WORKLOAD);

  process.stderr.write('Starting the agent and FreeRADIUS on core 0...\n');
  const agent = spawn(
    'taskset',
    [
      '-c',
      '0',
      process.execPath,
      '--expose-gc',
      // As the agent runs in production (apps/agent/Dockerfile, npm run agent): a small young generation keeps
      // scavenges short, which halves the agent's p99 here.
      '--max-semi-space-size=1',
      ...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', path.join(root, 'bench/results')] : []),
      path.join(dir, 'radius-agent.mjs'),
    ],
    {
      cwd: root,
      env: { PATH: process.env.PATH, BENCH_SECRET: SECRET, BENCH_VOUCHERS_FILE: vouchersFile },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  children.push(agent);
  const agentReady = await waitForLine(agent, 'agent', (line) =>
    parseJsonLine<{ auth?: number; vouchers: number; baselineRss: number }>(line),
  );
  if (!agentReady.auth || agentReady.vouchers !== count) throw new Error(`agent started with ${agentReady}`);

  const freeradius = spawn('taskset', ['-c', '0', FREERADIUS, '-f', '-l', 'stdout', '-d', configDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(freeradius);
  await waitForLine(
    freeradius,
    'freeradius',
    (line) => (line.includes('Ready to process requests') ? true : undefined),
    120_000,
  );
  // FreeRADIUS logs to stdout: unread, a full pipe would block it mid-bench (rounds with no answer at all).
  freeradius.stdout!.resume();
  const servers = [
    { name: 'agent', port: agentReady.auth, pid: agent.pid!, runs: [] as RunResult[], cursor: { at: 0 } },
    { name: 'freeradius', port: freeradiusPort, pid: freeradius.pid!, runs: [] as RunResult[], cursor: { at: 0 } },
  ];
  const pids = servers.map((s) => s.pid);
  for (let pass = 1; pass <= ROUNDS; pass++) {
    // Which server goes first alternates too, so neither always runs right after the other's cleanup.
    for (const server of pass % 2 ? servers : [...servers].reverse()) {
      await settle(pids);
      await drive(server.port, server.pid, workload, WARMUP_SECONDS, server.cursor);
      const run = await drive(server.port, server.pid, workload, SECONDS, server.cursor);
      server.runs.push(run);
      process.stderr.write(
        `  ${count} vouchers, ${server.name} round ${pass}: ${round(rps(run), 0)} req/s, p99 ${round(percentile(Array.from(run.latencies), 99), 3)} ms, server ${round(run.serverCpu, 2)} cores, load ${round(run.loadCpu, 2)}\n`,
      );
    }
  }

  agent.stdin!.write('stats\n');
  const stats = await waitForLine(agent, 'agent stats', (line) =>
    parseJsonLine<{ counters: { requests: number; dropped: number }; vouchers: number; heapUsed: number }>(line),
  );
  await sleep(200);
  const agentRss = memoryMb(agent.pid!);
  const freeradiusRss = memoryMb(freeradius.pid!);
  let reconcile: SizeResult['reconcile'];
  if (count >= 100_000) {
    agent.stdin!.write('reconcile\n');
    reconcile = await waitForLine(agent, 'agent reconcile', (line) =>
      parseJsonLine<{ replaceAllMs: number[]; parseAndReplaceMs: number[] }>(line),
    );
  }
  await stop(agent);
  await stop(freeradius);
  const ratios = servers[0]!.runs.map((run, i) => rps(run) / rps(servers[1]!.runs[i]!));
  return {
    vouchers: count,
    agent: summary(servers[0]!.runs),
    freeradius: summary(servers[1]!.runs),
    ratios,
    ratio: median(ratios),
    agentRss,
    freeradiusRss,
    baselineRss: agentReady.baselineRss,
    heapUsed: stats.heapUsed,
    counters: stats.counters,
    ...(reconcile ? { reconcile } : {}),
  };
}

async function stop(child: ChildProcess): Promise<void> {
  // The agent ends on its own when its stdin closes, which lets a CPU profile be written.
  if (child.stdin) child.stdin.end();
  else child.kill('SIGTERM');
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if ((await Promise.race([exited, sleep(10_000).then(() => 'late')])) === 'late') child.kill('SIGKILL');
}

function table(r: SizeResult): string[] {
  const a = r.agent;
  const f = r.freeradius;
  const fmt = (n: number, digits = 2) => String(round(n, digits)).padStart(10);
  return [
    '',
    `RADIUS PAP, ${r.vouchers} vouchers, ${CONCURRENCY} requests in flight, ${Math.round(BAD_PASSWORD_SHARE * 100)}% wrong passwords, ` +
      `median of ${ROUNDS} alternating rounds × ${SECONDS} s; servers on core 0, load on core 1`,
    '                        agent  freeradius     ratio',
    `req/s (median)     ${fmt(a.rps, 0)}  ${fmt(f.rps, 0)}  ${fmt(r.ratio, 3)}  (median of the round pairs' ratios)`,
    `p50 ms             ${fmt(a.p50, 3)}  ${fmt(f.p50, 3)}  ${fmt(a.p50 / f.p50, 3)}`,
    `p99 ms             ${fmt(a.p99, 3)}  ${fmt(f.p99, 3)}  ${fmt(a.p99 / f.p99, 3)}  (over every answer of every round)`,
    `RSS MB (now)       ${fmt(r.agentRss.rss, 1)}  ${fmt(r.freeradiusRss.rss, 1)}  ${fmt(r.agentRss.rss / r.freeradiusRss.rss, 3)}`,
    `RSS MB (peak)      ${fmt(r.agentRss.peak, 1)}  ${fmt(r.freeradiusRss.peak, 1)}  ${fmt(r.agentRss.peak / r.freeradiusRss.peak, 3)}`,
    `server cores used  ${fmt(a.serverCpu)}  ${fmt(f.serverCpu)}`,
    `req per CPU-second ${fmt(a.perCpuSecond, 0)}  ${fmt(f.perCpuSecond, 0)}  ${fmt(a.perCpuSecond / f.perCpuSecond, 3)}`,
    `load gen cores     ${fmt(a.loadCpu)}  ${fmt(f.loadCpu)}`,
    `req/s per round    ${a.all.join(' / ')}  |  ${f.all.join(' / ')}`,
    `ratio per round    ${r.ratios.map((x) => round(x, 3)).join(' / ')}`,
    `wrong answers      ${fmt(a.failures, 0)}  ${fmt(f.failures, 0)}`,
    `timeouts           ${fmt(a.timeouts, 0)}  ${fmt(f.timeouts, 0)}`,
    `agent RSS before vouchers ${round(r.baselineRss / 2 ** 20, 1)} MB; V8 heap in use ${round(r.heapUsed / 2 ** 20, 1)} MB; ` +
      `${r.counters.requests} answered, ${r.counters.dropped} dropped`,
    ...(r.reconcile
      ? [
          `reconcile 10k in process: replaceAll max ${round(Math.max(...r.reconcile.replaceAllMs))} ms, ` +
            `with JSON.parse max ${round(Math.max(...r.reconcile.parseAndReplaceMs))} ms`,
        ]
      : []),
    `goals: median ratio ≥ 1.1 ${r.ratio >= 1.1 ? 'met' : 'MISSED'}, p99 < 2 ms ${a.p99 < 2 ? 'met' : 'MISSED'}`,
  ];
}

async function main() {
  if (os.availableParallelism() < 2) throw new Error('bench:radius needs two cores (servers on core 0, load on 1)');
  if (!fs.existsSync(FREERADIUS)) throw new Error(`${FREERADIUS} is missing: apt-get install freeradius`);
  if (CONCURRENCY < 1 || CONCURRENCY > 256) throw new Error('BENCH_RADIUS_CONCURRENCY must be 1..256');
  const benchStarted = performance.now();
  // This process is the load generator: every thread of it onto core 1.
  execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-bench-radius-'));
  const children: ChildProcess[] = [];
  try {
    // The agent runs as it ships: bundled by apps/agent/build.mjs, plain node, no TypeScript loader.
    execFileSync(process.execPath, [
      path.join(root, 'apps/agent/build.mjs'),
      path.join(root, 'bench/radius-agent.ts'),
      path.join(dir, 'radius-agent.mjs'),
    ]);
    const results: SizeResult[] = [];
    for (const count of SIZES) results.push(await benchSize(count, dir, children));
    const result: Record<string, number> = {};
    for (const r of results) {
      const k = r.vouchers >= 1000 ? `${r.vouchers / 1000}k` : String(r.vouchers);
      result[`agent_rps_${k}`] = round(r.agent.rps, 0);
      result[`freeradius_rps_${k}`] = round(r.freeradius.rps, 0);
      result[`ratio_vs_freeradius_${k}`] = round(r.ratio, 3);
      result[`p99_ms_${k}`] = round(r.agent.p99, 3);
      result[`freeradius_p99_ms_${k}`] = round(r.freeradius.p99, 3);
    }
    const lines = results.flatMap(table);
    lines.push(
      `whole bench ${round((performance.now() - benchStarted) / 1000, 1)} s; load average ${os
        .loadavg()
        .map((l) => round(l, 2))
        .join(' ')}`,
      '',
    );
    report('radius', lines, result);
    const failures = results.reduce((n, r) => n + r.agent.failures + r.freeradius.failures, 0);
    if (failures > 0) {
      process.stderr.write(`${failures} answers were wrong or badly signed\n`);
      process.exitCode = 1;
    }
  } finally {
    for (const child of children) await stop(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench:radius: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
