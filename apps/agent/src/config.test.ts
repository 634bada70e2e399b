import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config';

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
