import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-agent-bundle-')), 'agent.mjs');

/** Runs airgap-journey.ts in a new network namespace whose only interface is loopback: nothing can leave the machine. */
function runIsolated(): Promise<{ code: number | null; steps: Array<Record<string, unknown>>; stderr: string }> {
  const script = `ip link set lo up && exec "${process.execPath}" --import tsx e2e/integration/airgap-journey.ts`;
  const child = spawn('unshare', ['--net', '--', 'sh', '-c', script], {
    cwd: root,
    env: { PATH: process.env.PATH, AGENT_BUNDLE: bundle },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr.on('data', (chunk) => {
    err += chunk;
  });
  return new Promise((resolve) =>
    child.on('exit', (code) =>
      resolve({
        code,
        stderr: err,
        steps: out
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>),
      }),
    ),
  );
}

describe('air-gapped operation', { timeout: 180_000 }, () => {
  // The journey loads the admin and kiosk pages as a browser would, so they must be built.
  // and the agent runs as it does in its container: the production bundle, plain node.
  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build-apps.mjs'], { cwd: root, stdio: 'inherit', timeout: 170_000 });
    execFileSync(process.execPath, ['apps/agent/build.mjs', 'apps/agent/src/main.ts', bundle], { cwd: root });
  }, 180_000);
  afterAll(() => fs.rmSync(path.dirname(bundle), { recursive: true, force: true }));

  it('the namespace really has no route out', () => {
    const routes = execFileSync(
      'unshare',
      ['--net', '--', 'sh', '-c', 'ip link set lo up && ip -4 route show table main'],
      {
        encoding: 'utf8',
      },
    );
    expect(routes.trim()).toBe('');
  });

  it('with only loopback: start, sign in (password and SSO), register a visit, pair a kiosk, check in, and get onto the WiFi', async () => {
    const started = performance.now();
    const { code, steps, stderr } = await runIsolated();
    const failed = steps.find((s) => s.step === 'failed');
    expect(failed, `${JSON.stringify(failed)} ${stderr.slice(-800)}`).toBeUndefined();
    expect(steps.map((s) => s.step)).toEqual([
      'network',
      'server started',
      'apps served',
      'signed in',
      'signed in with single sign-on',
      'visit registered',
      'agent connected',
      'kiosk paired',
      'checked in',
      'on the wifi',
      'done',
    ]);
    expect(steps[0]).toEqual({ step: 'network', interfaces: ['lo'] });
    expect(steps.find((s) => s.step === 'signed in with single sign-on')).toMatchObject({ roles: ['receptionist'] });
    expect(code).toBe(0);
    console.log(`air-gapped journey: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});
