import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bypassesProxy, loadAgentConfig } from './config';

// The terminator settings are checked with the rest of the environment: one line naming the variable and the fix.
// Any readable file passes the TLS_*_FILE checks that come first; the certificate itself is read only afterwards.
const readable = fileURLToPath(import.meta.url);
const base = {
  ATRIUM_SERVER_URL: 'wss://atrium.example.com/agent/ws',
  ATRIUM_TENANT_ID: '00000000-0000-4000-8000-000000000001',
  ATRIUM_SITE_ID: '00000000-0000-4000-8000-000000000002',
  RADIUS_SECRET: 'radius-shared-secret',
  TLS_CERT_FILE: readable,
  TLS_KEY_FILE: readable,
  TLS_CA_FILE: readable,
};
const load = (env: Record<string, string>) => () => loadAgentConfig({ ...base, ...env });
// Past the terminator checks, the next complaint is the test's stand-in certificate.
const accepted = /TLS_CERT_FILE .* is not a PEM certificate/;

describe('terminator configuration', () => {
  it('names the terminators there are', () => {
    expect(load({ TERMINATOR: 'checkpoint' })).toThrow('TERMINATOR must be rfc5176, paloalto, sophos or none');
    expect(load({ COA_PROFILE: 'juniper' })).toThrow(
      'COA_PROFILE must be one of generic, cisco, aruba, mikrotik, unifi, fortigate',
    );
    expect(load({ COA_PROFILE: 'unifi' })).toThrow(accepted);
  });

  it('Palo Alto needs the firewall address and an API key', () => {
    expect(load({ TERMINATOR: 'paloalto', TERMINATOR_API_KEY: 'k' })).toThrow(
      /^TERMINATOR_URL is required with TERMINATOR=paloalto/,
    );
    expect(load({ TERMINATOR: 'paloalto', TERMINATOR_URL: 'https://fw.example.com' })).toThrow(
      /^TERMINATOR_API_KEY is required with TERMINATOR=paloalto/,
    );
    expect(load({ TERMINATOR: 'paloalto', TERMINATOR_URL: 'http://fw.example.com', TERMINATOR_API_KEY: 'k' })).toThrow(
      'TERMINATOR_URL must be an https:// URL of the firewall, e.g. https://fw.example.com',
    );
    expect(load({ TERMINATOR: 'paloalto', TERMINATOR_URL: 'https://fw.example.com', TERMINATOR_API_KEY: 'k' })).toThrow(
      accepted,
    );
  });

  it('Sophos needs the address and an API administrator', () => {
    const sophos = { TERMINATOR: 'sophos', TERMINATOR_URL: 'https://fw.example.com:4444' };
    expect(load({ ...sophos, TERMINATOR_PASSWORD: 'p' })).toThrow(
      /^TERMINATOR_USERNAME is required with TERMINATOR=sophos/,
    );
    expect(load({ ...sophos, TERMINATOR_USERNAME: 'api' })).toThrow(
      /^TERMINATOR_PASSWORD is required with TERMINATOR=sophos/,
    );
    expect(load({ ...sophos, TERMINATOR_USERNAME: 'api', TERMINATOR_PASSWORD: 'p' })).toThrow(accepted);
  });

  it('an optional CA file must be readable', () => {
    expect(load({ TERMINATOR_CA_FILE: '/nonexistent/ca.pem' })).toThrow('TERMINATOR_CA_FILE must name a readable file');
  });
});

describe('the seed’s docker run: certificates from the mounted /certs', () => {
  const seedEnv = {
    ATRIUM_SERVER_URL: base.ATRIUM_SERVER_URL,
    ATRIUM_TENANT_ID: base.ATRIUM_TENANT_ID,
    ATRIUM_SITE_ID: base.ATRIUM_SITE_ID,
    RADIUS_SECRET: base.RADIUS_SECRET,
  };

  it('without TLS_* variables, looks for the bundle’s names under /certs and says where it looked', () => {
    expect(() => loadAgentConfig(seedEnv)).toThrow(
      "TLS_CERT_FILE must name a readable file (/certs/agent.crt: put the registration's agent.crt there, or set TLS_CERT_FILE)",
    );
  });

  it('reads agent.crt, agent.key and ca.crt from ATRIUM_CERTS_DIR', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-certs-'));
    for (const file of ['agent.crt', 'agent.key', 'ca.crt']) fs.writeFileSync(path.join(dir, file), 'not a cert');
    // Every file was found; the first complaint is about the certificate's content.
    expect(() => loadAgentConfig({ ...seedEnv, ATRIUM_CERTS_DIR: dir })).toThrow(
      `TLS_CERT_FILE ${dir}/agent.crt is not a PEM certificate`,
    );
    fs.rmSync(path.join(dir, 'ca.crt'));
    expect(() => loadAgentConfig({ ...seedEnv, ATRIUM_CERTS_DIR: dir })).toThrow(
      /^TLS_CA_FILE must name a readable file/,
    );
  });
});

describe('HTTPS_PROXY and NO_PROXY', () => {
  const url = new URL('wss://atrium.example.com/agent/ws');
  it.each([
    ['', false],
    ['*', true],
    ['atrium.example.com', true],
    ['example.com', true],
    ['.example.com', true],
    ['*.example.com', true],
    ['ample.com', false],
    ['other.example.com', false],
    ['atrium.example.com:443', true],
    ['atrium.example.com:8443', false],
    ['localhost, 10.0.0.0 , example.com', true],
  ])('NO_PROXY=%j bypasses the proxy: %s', (noProxy, bypass) => {
    expect(bypassesProxy(url, noProxy)).toBe(bypass);
  });

  it('matches IP hosts and ports', () => {
    expect(bypassesProxy(new URL('wss://127.0.0.1:8443/agent/ws'), '127.0.0.1')).toBe(true);
    expect(bypassesProxy(new URL('wss://[::1]:8443/agent/ws'), '[::1]:8443')).toBe(true);
    expect(bypassesProxy(new URL('wss://[::1]:8443/agent/ws'), '::1')).toBe(true);
  });

  it('refuses a proxy that is not an http(s) URL', () => {
    expect(load({ HTTPS_PROXY: 'proxy.lan:3128' })).toThrow(/^HTTPS_PROXY must be a proxy URL/);
  });
});
