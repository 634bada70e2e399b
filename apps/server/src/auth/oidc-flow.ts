import { createHash, randomBytes } from 'node:crypto';
import type { ErrorCode, SsoInfo, TokenPair } from '@atrium/protocol';
import { compactUuid, expandUuid } from '@atrium/qr-token';
import * as client from 'openid-client';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/record';
import type { SecretBox } from '../crypto/secret-box';
import type { EventDispatcher } from '../events/outbox';
import { notConfigured, unauthorized } from '../http/errors';
import { type AccountMatch, type IdpIdentity, matchAccount, tenantForSignIn } from './oidc-accounts';
import type { OidcClient } from './oidc-client';
import { issueSession, type RequestInfo, type SessionDeps } from './sessions';
import type { UserAccess } from './user-access';

/** The cookie that binds a callback to the browser that started the sign-in (sealed state, nonce and PKCE verifier). */
export const FLOW_COOKIE = 'atrium_oidc';
export const FLOW_COOKIE_PATH = '/api/v1/auth/oidc';
const FLOW_TTL_MS = 10 * 60 * 1000;
/** The admin app trades the handoff code at once; a minute is plenty. */
const HANDOFF_TTL_MS = 60 * 1000;
const SEAL_CONTEXT = 'oidc-flow';

export interface SsoDeps extends SessionDeps {
  oidc: OidcClient | undefined;
  box: SecretBox;
  events: Pick<EventDispatcher, 'wake'>;
  access: Pick<UserAccess, 'forget'>;
  logger: Logger;
}

interface FlowState {
  state: string;
  nonce: string;
  verifier: string;
  expiresAt: number;
}

/** Where the browser goes next, and the flow cookie to set (a value) or clear (null). */
export interface Redirect {
  location: string;
  cookie: { value: string; maxAgeMs: number; secure: boolean } | null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The admin app at PUBLIC_URL; the callback's outcome travels in the fragment, which never reaches a server log. */
function appUrl(oidc: OidcClient, fragment: Record<string, string>): string {
  const base = oidc.settings.redirectUri.replace(/api\/v1\/auth\/oidc\/callback$/, '');
  return `${base}#${new URLSearchParams(fragment)}`;
}

const failed = (oidc: OidcClient, code: ErrorCode): Redirect => ({
  location: appUrl(oidc, { sso_error: code }),
  cookie: null,
});

/** Without OIDC_ISSUER there is no IdP to send anyone to (the sign-in page shows no button then). */
function configured(oidc: OidcClient | undefined): OidcClient {
  if (!oidc) throw notConfigured('sso_not_configured', 'Single sign-on is not set up on this server.');
  return oidc;
}

/** What the sign-in page needs to know: is single sign-on on, and who may still use a password. */
export function ssoInfo(oidc: OidcClient | undefined): SsoInfo {
  return { enabled: oidc !== undefined, passwordLogin: oidc?.settings.passwordLogin ?? 'all' };
}

/** Starts the authorization code flow with PKCE (S256), state and nonce. */
export async function startSsoSignIn(deps: Pick<SsoDeps, 'oidc' | 'box' | 'now'>): Promise<Redirect> {
  const oidc = configured(deps.oidc);
  const config = oidc.configuration;
  if (!config) return failed(oidc, 'sso_unavailable');
  const flow: FlowState = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    verifier: client.randomPKCECodeVerifier(),
    expiresAt: deps.now().getTime() + FLOW_TTL_MS,
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: oidc.settings.redirectUri,
    scope: oidc.settings.scopes,
    code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: 'S256',
    state: flow.state,
    nonce: flow.nonce,
  });
  return {
    location: url.href,
    cookie: {
      value: deps.box.seal(JSON.stringify(flow), SEAL_CONTEXT),
      maxAgeMs: FLOW_TTL_MS,
      secure: oidc.settings.redirectUri.startsWith('https:'),
    },
  };
}

function openFlow(deps: Pick<SsoDeps, 'box' | 'now'>, sealed: string | undefined): FlowState | undefined {
  if (!sealed) return undefined;
  try {
    const flow = JSON.parse(deps.box.open(sealed, SEAL_CONTEXT).toString()) as FlowState;
    return flow.expiresAt > deps.now().getTime() ? flow : undefined;
  } catch {
    return undefined;
  }
}

/** Names what went wrong in openid-client's checks; anything unexpected is an invalid response. */
function classify(error: unknown): ErrorCode {
  if (error instanceof client.AuthorizationResponseError) return 'sso_denied';
  if (error instanceof client.ResponseBodyError) return 'sso_code_rejected';
  // fetch() failing (IdP unreachable, timeout) mid-flow: the same as the IdP being down.
  if (error instanceof TypeError || (error as Error).name === 'TimeoutError') return 'sso_unavailable';
  const cause = (error as { cause?: { message?: string; cause?: { claim?: string } } }).cause;
  const text = `${(error as Error).message ?? ''} ${cause?.message ?? ''}`;
  if (cause?.cause?.claim === 'nonce' || /"nonce"/.test(text)) return 'sso_nonce_mismatch';
  if (cause?.cause?.claim === 'iss' || /"iss"/.test(text)) return 'sso_issuer_mismatch';
  if (/"state"/.test(text)) return 'sso_state_mismatch';
  return 'sso_invalid_response';
}

function claimValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Validates the IdP's answer with openid-client and reads who signed in (ID token, then userinfo for the rest). */
async function identityFrom(oidc: OidcClient, config: client.Configuration, url: URL, flow: FlowState) {
  const tokens = await client.authorizationCodeGrant(config, url, {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
    idTokenExpected: true,
  });
  const idToken = tokens.claims()!;
  const userinfo: Record<string, unknown> = config.serverMetadata().userinfo_endpoint
    ? await client.fetchUserInfo(config, tokens.access_token, idToken.sub)
    : {};
  const claims: Record<string, unknown> = { ...userinfo, ...idToken };
  const identity: IdpIdentity = {
    issuer: idToken.iss,
    subject: idToken.sub,
    email: typeof claims.email === 'string' ? claims.email : undefined,
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    name: typeof claims.name === 'string' ? claims.name : undefined,
    roleValues: [
      ...new Set([...claimValues(idToken[oidc.settings.roleClaim]), ...claimValues(userinfo[oidc.settings.roleClaim])]),
    ],
  };
  return identity;
}

/**
 * The IdP sent the browser back: check it against the flow cookie, find the user, and hand the admin app a one-time
 * code. Every refusal is an audit entry and a redirect to the sign-in page with its error code, never a 500.
 */
export async function finishSsoSignIn(
  deps: SsoDeps,
  callbackUrl: URL,
  sealedFlow: string | undefined,
  info: RequestInfo,
): Promise<Redirect> {
  const oidc = configured(deps.oidc);
  const config = oidc.configuration;
  if (!config) return failed(oidc, 'sso_unavailable');
  const flow = openFlow(deps, sealedFlow);
  let identity: IdpIdentity | undefined;
  let reason: ErrorCode | undefined;
  if (!flow) reason = callbackUrl.searchParams.has('error') ? 'sso_denied' : 'sso_state_mismatch';
  else {
    try {
      identity = await identityFrom(oidc, config, callbackUrl, flow);
    } catch (error) {
      reason = classify(error);
      deps.logger.warn({ err: error, reason }, 'single sign-on: the IdP answer was refused');
    }
  }
  const tenantId = await tenantForSignIn(deps.db, identity?.emailVerified ? identity.email : undefined);
  if (!tenantId) return failed(oidc, 'sso_no_account');
  const outcome = await deps.db.withTenant(tenantId, async (tx) => {
    const match: AccountMatch | { ok: false; reason: ErrorCode; userId?: undefined } = identity
      ? await matchAccount(tx, { settings: oidc.settings, logger: deps.logger }, tenantId, identity)
      : { ok: false, reason: reason ?? 'sso_invalid_response' };
    const base = {
      action: 'auth.login',
      targetType: 'user',
      ip: info.ip,
    };
    if (!match.ok) {
      await recordAudit(tx, {
        ...base,
        actorType: match.userId ? 'user' : 'anonymous',
        actorId: match.userId ?? null,
        targetId: match.userId ?? null,
        outcome: 'failure',
        details: { method: 'oidc', reason: match.reason },
      });
      return { ok: false as const, reason: match.reason };
    }
    await recordAudit(tx, {
      ...base,
      actorType: 'user',
      actorId: match.userId,
      targetId: match.userId,
      outcome: 'success',
      details: { method: 'oidc', created: match.created, linked: match.linked, rolesChanged: match.rolesChanged },
    });
    const code = `${compactUuid(tenantId)}.${randomBytes(32).toString('base64url')}`;
    await tx.deleteFrom('sign_in_handoffs').where('expires_at', '<', deps.now()).execute();
    await tx
      .insertInto('sign_in_handoffs')
      .values({
        code_hash: sha256(code),
        tenant_id: tenantId,
        user_id: match.userId,
        expires_at: new Date(deps.now().getTime() + HANDOFF_TTL_MS),
      })
      .execute();
    return { ok: true as const, code, userId: match.userId, rolesChanged: match.rolesChanged };
  });
  if (!outcome.ok) return failed(oidc, outcome.reason);
  if (outcome.rolesChanged) {
    // This replica forgets the old roles at once; the others on the event.
    deps.access.forget(tenantId, outcome.userId);
    void deps.events.wake();
  }
  return { location: appUrl(oidc, { sso_code: outcome.code }), cookie: null };
}

/** Trades the callback's one-time code for the same token pair a password sign-in gives. */
export async function exchangeSsoCode(deps: SessionDeps, code: string): Promise<TokenPair> {
  const refused = () =>
    unauthorized('sso_handoff_invalid', 'This single sign-on has expired or was used. Sign in again.');
  const [tenant, secret] = code.split('.');
  const tenantId = tenant && secret?.length === 43 ? expandUuid(tenant) : undefined;
  if (!tenantId) throw refused();
  const session = await deps.db.withTenant(tenantId, async (tx) => {
    const handoff = await tx
      .updateTable('sign_in_handoffs')
      .set({ used_at: deps.now() })
      .where('code_hash', '=', sha256(code))
      .where('used_at', 'is', null)
      .where('expires_at', '>', deps.now())
      .returning('user_id')
      .executeTakeFirst();
    if (!handoff) return undefined;
    return issueSession(deps, tx, tenantId, handoff.user_id, null);
  });
  if (!session) throw refused();
  return session;
}
