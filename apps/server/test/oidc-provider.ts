import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { OidcSettings } from '../src/auth/oidc-config';

/** A person at the test IdP: what its userinfo endpoint says about them. */
export interface IdpAccount {
  email: string;
  emailVerified?: boolean;
  name?: string;
  groups?: string[];
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by login name (what one types on the provider's login page); change them between sign-ins at will. */
  accounts: Map<string, IdpAccount>;
  /** Server settings for this IdP (OIDC_SCOPES with `groups`, the role claim `groups`). */
  settings(publicUrl: string, overrides?: Partial<OidcSettings>): OidcSettings;
  stop(): Promise<void>;
}

/**
 * A real OpenID Provider (the certified `oidc-provider`) on 127.0.0.1 with its own login and consent pages (its
 * development interactions: any password is accepted for a known login). The client may redirect to `redirectUri`.
 */
export async function startTestIdp(options: { redirectUris: string[]; port?: number }): Promise<TestIdp> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'atrium';
  const clientSecret = 'atrium-test-client-secret-0123456789';
  const accounts = new Map<string, IdpAccount>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: account.email,
            email_verified: account.emailVerified ?? true,
            name: account.name ?? id,
            groups: account.groups ?? [],
          };
        },
      };
    },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: ['atrium-test-idp-cookie-key-0123456789'] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    settings(publicUrl, overrides = {}) {
      return {
        issuer: new URL(issuer),
        clientId,
        clientSecret,
        redirectUri: `${publicUrl}/api/v1/auth/oidc/callback`,
        scopes: 'openid email profile groups',
        allowedDomains: [],
        roleClaim: 'groups',
        roleMap: {},
        autoCreate: true,
        passwordLogin: 'all',
        ...overrides,
      };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
