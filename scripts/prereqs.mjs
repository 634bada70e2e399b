// System prerequisites of the test suite. As root with apt, missing Debian packages are installed (and said so);
// otherwise the exact command to run is printed and the suite stops before running anything.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export const PACKAGES = [
  { bin: '/usr/bin/chromium', pkg: 'chromium', why: 'browser tests (Playwright drives Debian Chromium)' },
  { bin: '/usr/bin/radclient', pkg: 'freeradius-utils', why: 'RADIUS tests talk to the agent with radclient' },
  { bin: '/usr/bin/caddy', pkg: 'caddy', why: 'the Caddyfile is tested against a real Caddy' },
  { bin: '/usr/bin/tinyproxy', pkg: 'tinyproxy', why: 'the agent is tested through a real HTTP CONNECT proxy' },
  {
    bin: '/usr/bin/docker-compose',
    pkg: 'docker-compose',
    why: 'docker-compose.yml is validated with docker-compose config',
  },
];

const log = (line) => process.stdout.write(`prereqs: ${line}\n`);

function canApt() {
  return process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get');
}

function installPackages(pkgs) {
  log(`installing Debian packages: ${pkgs.join(' ')} (apt-get, as root)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env });
}

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves when everything is there; rejects with a message that says what to run. */
export async function ensurePrerequisites({ postgresUrl }) {
  const missing = PACKAGES.filter((p) => !fs.existsSync(p.bin));
  if (missing.length > 0) {
    const pkgs = missing.map((p) => p.pkg);
    if (!canApt()) {
      throw new Error(
        `missing ${missing.map((p) => `${p.pkg} (${p.why})`).join(', ')}.\nRun: sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}`,
      );
    }
    installPackages(pkgs);
  }

  const url = new URL(postgresUrl);
  const host = url.hostname || '127.0.0.1';
  const port = Number(url.port || 5432);
  if (!(await reachable(host, port))) {
    const local = host === '127.0.0.1' || host === 'localhost';
    if (
      local &&
      process.getuid?.() === 0 &&
      fs.existsSync('/usr/bin/pg_ctlcluster') &&
      fs.existsSync('/etc/postgresql')
    ) {
      const [version] = fs.readdirSync('/etc/postgresql');
      log(`PostgreSQL is not running; starting cluster ${version}/main`);
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
    }
    if (!(await reachable(host, port))) {
      throw new Error(
        `PostgreSQL is not reachable at ${host}:${port}; the PostgreSQL test tier needs it.\nStart it (e.g. sudo pg_ctlcluster --skip-systemctl-redirect 15 main start) or set TEST_DATABASE_URL.`,
      );
    }
  }
}
