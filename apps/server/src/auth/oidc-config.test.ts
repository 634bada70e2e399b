import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';

const SSO = {
  PUBLIC_URL: 'https://atrium.example.com',
  OIDC_ISSUER: 'https://login.example.com/realms/staff',
  OIDC_CLIENT_ID: 'atrium',
  OIDC_CLIENT_SECRET: 'client-secret-value',
};

describe('single sign-on configuration', () => {
  it('is off without OIDC_ISSUER', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
  });

  it('reads a full configuration with its defaults', () => {
    const { oidc } = loadConfig({
      ...SSO,
      OIDC_ALLOWED_DOMAINS: 'Example.com, @example.org',
      OIDC_ROLE_MAP: '{"atrium-admins":"tenant_admin","lobby":["receptionist@Main office","member"]}',
    });
    expect(oidc).toMatchObject({
      clientId: 'atrium',
      redirectUri: 'https://atrium.example.com/api/v1/auth/oidc/callback',
      scopes: 'openid email profile',
      allowedDomains: ['example.com', 'example.org'],
      roleClaim: 'groups',
      roleMap: {
        'atrium-admins': [{ role: 'tenant_admin', site: null }],
        lobby: [
          { role: 'receptionist', site: 'Main office' },
          { role: 'member', site: null },
        ],
      },
      autoCreate: true,
      passwordLogin: 'all',
    });
    expect(oidc?.issuer.href).toBe('https://login.example.com/realms/staff');
  });

  it.each([
    [{ OIDC_CLIENT_ID: 'atrium' }, 'OIDC_ISSUER must be set when OIDC_CLIENT_ID is'],
    [{ ...SSO, OIDC_CLIENT_ID: '' }, 'OIDC_CLIENT_ID must be set when OIDC_ISSUER is'],
    [{ ...SSO, OIDC_CLIENT_SECRET: '' }, 'OIDC_CLIENT_SECRET must be set when OIDC_ISSUER is'],
    [{ ...SSO, PUBLIC_URL: undefined }, 'PUBLIC_URL must be set when OIDC_ISSUER is'],
    [{ ...SSO, OIDC_ISSUER: 'ldap://dc.example.com' }, 'OIDC_ISSUER must be the IdP issuer URL'],
    [{ ...SSO, OIDC_SCOPES: 'email profile' }, 'OIDC_SCOPES must include openid'],
    [{ ...SSO, OIDC_ALLOWED_DOMAINS: 'not a domain' }, 'OIDC_ALLOWED_DOMAINS must be a comma-separated list'],
    [{ ...SSO, OIDC_ROLE_MAP: '[1,2]' }, 'OIDC_ROLE_MAP must be a JSON object'],
    [{ ...SSO, OIDC_ROLE_MAP: '{"x":"boss@Main office"}' }, 'OIDC_ROLE_MAP maps "x" to something that is not'],
    [{ ...SSO, OIDC_ROLE_MAP: '{"x":"tenant_admin@Main office"}' }, 'OIDC_ROLE_MAP maps "x"'],
    [{ ...SSO, OIDC_AUTO_CREATE: 'maybe' }, 'OIDC_AUTO_CREATE must be true or false'],
    [{ ...SSO, OIDC_PASSWORD_LOGIN: 'some' }, 'OIDC_PASSWORD_LOGIN must be all, admins or off'],
  ])('stops start-up naming the variable for %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes the client secret', () => {
    expect(() => loadConfig({ ...SSO, OIDC_CLIENT_SECRET: 'x'.repeat(3000) })).toThrow(/^OIDC_CLIENT_SECRET [^x]*$/);
  });
});
