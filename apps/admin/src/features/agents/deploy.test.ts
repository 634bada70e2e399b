import { describe, expect, it } from 'vitest';
import { combinedBundle, composeSnippet, dockerRunCommand, RADIUS_SECRET_PLACEHOLDER, shellQuote } from './deploy';

const env = {
  ATRIUM_SERVER_URL: 'wss://atrium.example.com/agent/ws',
  ATRIUM_TENANT_ID: '11111111-1111-4111-8111-111111111111',
  ATRIUM_SITE_ID: '22222222-2222-4222-8222-222222222222',
};

describe('dockerRunCommand', () => {
  it('is the seed command with this agent’s values filled in and the RADIUS secret left to the admin', () => {
    const command = dockerRunCommand(env);
    const lines = command.split(' \\\n  ');
    expect(lines[0]).toBe('docker run -d');
    expect(lines).toContain('--restart unless-stopped');
    expect(lines).toContain('-p 1812:1812/udp');
    expect(lines).toContain('-p 1813:1813/udp');
    expect(lines).toContain('-e ATRIUM_SERVER_URL=wss://atrium.example.com/agent/ws');
    expect(lines).toContain(`-e ATRIUM_TENANT_ID=${env.ATRIUM_TENANT_ID}`);
    expect(lines).toContain(`-e ATRIUM_SITE_ID=${env.ATRIUM_SITE_ID}`);
    expect(lines).toContain(`-e RADIUS_SECRET=${RADIUS_SECRET_PLACEHOLDER}`);
    // Like the seed: no TLS_* variables, the agent reads agent.crt, agent.key and ca.crt from the mounted /certs.
    expect(command).not.toContain('TLS_');
    expect(lines).toContain('-v /path/to/certs:/certs:ro');
    expect(lines.at(-1)).toBe('ghcr.io/atrium-visitor/atrium-agent:latest');
    expect(dockerRunCommand(env, 'registry.example.com/it/atrium-agent:1.2.0').split('\n').at(-1)?.trim()).toBe(
      'registry.example.com/it/atrium-agent:1.2.0',
    );
  });

  it('quotes a value that the shell would otherwise interpret', () => {
    expect(shellQuote('wss://a.example/agent/ws')).toBe('wss://a.example/agent/ws');
    expect(shellQuote("x'; rm -rf / #")).toBe(`'x'\\''; rm -rf / #'`);
    expect(dockerRunCommand({ ...env, ATRIUM_SERVER_URL: 'wss://a b' })).toContain("-e ATRIUM_SERVER_URL='wss://a b'");
  });
});

describe('combinedBundle', () => {
  it('holds all three PEM blocks, each under its file name', () => {
    const text = combinedBundle({
      agent: { id: 'a1', siteId: env.ATRIUM_SITE_ID, name: 'Rack' },
      image: 'ghcr.io/atrium-visitor/atrium-agent:0.1.0',
      bundle: { cert: 'CERT\n', key: 'KEY', ca: 'CA' },
      env,
    });
    expect(text).toMatch(/# ---- agent\.crt ----\nCERT\n/);
    expect(text).toMatch(/# ---- agent\.key ----\nKEY\n/);
    expect(text).toMatch(/# ---- ca\.crt ----\nCA\n/);
  });
});

describe('composeSnippet', () => {
  it('is the docker run command as a compose service, with the registration’s image', () => {
    const snippet = composeSnippet(env, 'registry.example.com/it/atrium-agent:1.2.0');
    expect(snippet).toContain('    image: "registry.example.com/it/atrium-agent:1.2.0"');
    expect(snippet).toContain('      - "1812:1812/udp"');
    expect(snippet).toContain(`      ATRIUM_SITE_ID: "${env.ATRIUM_SITE_ID}"`);
    expect(snippet).toContain(`      RADIUS_SECRET: "${RADIUS_SECRET_PLACEHOLDER}"`);
    expect(snippet).toContain('      - "/path/to/certs:/certs:ro"');
    expect(snippet).not.toContain('TLS_');
  });
});
