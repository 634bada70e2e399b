import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('docker-compose.yml', () => {
  const envFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-compose-')), '.env');
  fs.writeFileSync(
    envFile,
    fs
      .readFileSync(path.join(root, '.env.example'), 'utf8')
      .replace(/^ATRIUM_SECRET_KEY=$/m, 'ATRIUM_SECRET_KEY=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI='),
  );
  const compose = (args: string[], env = envFile) =>
    spawnSync('docker-compose', ['--env-file', env, '-f', path.join(root, 'docker-compose.yml'), ...args], {
      encoding: 'utf8',
      cwd: root,
    });

  it('is valid with the example environment', () => {
    const result = compose(['config']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('wss://atrium.example.com/agent/ws');
    expect(result.stdout).toContain('postgres://atrium:change-me@postgres:5432/atrium');
  });

  it('has the services, the agent behind a profile, health checks and restart policies', () => {
    const services = compose(['config', '--services']).stdout.trim().split('\n').sort();
    expect(services).toEqual(['agent', 'caddy', 'postgres', 'server']);
    const config = compose(['config']).stdout;
    // The agent starts only with --profile agent.
    expect(config).toMatch(/ {2}agent:\n(?: {4}.*\n)*? {4}profiles:\n {4}- agent\n/);
    const text = compose(['config']).stdout;
    expect(text.match(/restart: unless-stopped/g)?.length).toBe(4);
    expect(text.match(/healthcheck:/g)?.length).toBe(2);
  });

  it('trusts proxy headers only from Caddy, pinned to a fixed address on a fixed subnet', () => {
    const config = compose(['config']).stdout;
    const subnet = /subnet: (\S+)/.exec(config)?.[1];
    const caddyIp = /caddy:\n(?: {4}.*\n)*? {6}default:\n {8}ipv4_address: (\S+)/.exec(config)?.[1];
    const trusted = /TRUSTED_PROXY: (\S+)/.exec(config)?.[1];
    expect(subnet).toBe('172.29.53.0/24');
    expect(caddyIp).toBe('172.29.53.2');
    expect(trusted).toBe(caddyIp);
    // The server's own view of the variable: one address, no private ranges.
    expect(loadConfig({ TRUSTED_PROXY: trusted }).TRUSTED_PROXY).toEqual(['172.29.53.2']);
  });

  it('refuses to start without the secrets, naming them', () => {
    const bare = path.join(path.dirname(envFile), 'empty.env');
    fs.writeFileSync(bare, '');
    const result = compose(['config'], bare);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/set (ATRIUM_DOMAIN|POSTGRES_PASSWORD|ATRIUM_SECRET_KEY) in \.env/);
  });

  it('keeps secrets out of the images', () => {
    for (const file of ['apps/server/Dockerfile', 'apps/agent/Dockerfile']) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      expect(text).toMatch(/^USER node$/m);
      expect(text).not.toMatch(/SECRET|PASSWORD/);
      expect(text).toMatch(/AS runtime/);
    }
    expect(execFileSync('git', ['check-ignore', '.env'], { cwd: root, encoding: 'utf8' }).trim()).toBe('.env');
  });
});
