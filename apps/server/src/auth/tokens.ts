import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import type { RoleGrant } from '../tenancy/users';
import type { KeyRing } from './keys';

export const TOKEN_ISSUER = 'atrium';
export const ACCESS_TOKEN_TTL_S = 15 * 60;
export const DEVICE_TOKEN_TTL_S = 365 * 24 * 60 * 60;
export const MFA_TOKEN_TTL_S = 5 * 60;
const CLOCK_TOLERANCE_S = 5;

export type TokenType = 'user' | 'kiosk';

export type Principal =
  | {
      type: 'user';
      userId: string;
      tenantId: string;
      roles: RoleGrant[];
      jti: string;
      /** The session came from a temporary password: it may only choose a new one. */
      passwordChangeRequired: boolean;
      /** The user's session version when the token was issued; a newer one in the database ends the token. */
      sessionVersion: number;
    }
  | { type: 'kiosk'; kioskId: string; tenantId: string; siteId: string; jti: string };

export class TokenError extends Error {
  constructor(
    readonly code: 'invalid_token' | 'token_expired',
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

/** Signs and verifies the instance's bearer tokens; each carries token_type so a route can refuse the wrong kind. */
export class TokenService {
  constructor(
    private readonly keys: KeyRing,
    private readonly now: () => Date = () => new Date(),
  ) {}

  #sign(
    claims: Record<string, unknown>,
    purpose: 'access' | 'device',
    typ: string,
    subject: string,
    ttl: number,
    jti: string = randomUUID(),
  ) {
    const { kid, privateKey } = this.keys.signingKey(purpose);
    const iat = Math.floor(this.now().getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid, typ })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_ISSUER)
      .setSubject(subject)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttl)
      .sign(privateKey);
  }

  signAccessToken(user: {
    userId: string;
    tenantId: string;
    roles: RoleGrant[];
    passwordChangeRequired?: boolean;
    sessionVersion?: number;
  }): Promise<string> {
    return this.#sign(
      {
        token_type: 'user',
        tid: user.tenantId,
        roles: user.roles.map((r) => ({ role: r.role, site: r.siteId })),
        sv: user.sessionVersion ?? 0,
        ...(user.passwordChangeRequired ? { pcr: true } : {}),
      },
      'access',
      'at+jwt',
      user.userId,
      ACCESS_TOKEN_TTL_S,
    );
  }

  async signDeviceToken(kiosk: {
    kioskId: string;
    tenantId: string;
    siteId: string;
  }): Promise<{ token: string; jti: string }> {
    const jti = randomUUID();
    const token = await this.#sign(
      { token_type: 'kiosk', tid: kiosk.tenantId, sid: kiosk.siteId },
      'device',
      'atrium-device+jwt',
      kiosk.kioskId,
      DEVICE_TOKEN_TTL_S,
      jti,
    );
    return { token, jti };
  }

  /** A 5-minute token that proves the password step of a sign-in; only POST /auth/mfa accepts it. */
  signMfaToken(user: { userId: string; tenantId: string }): Promise<string> {
    return this.#sign(
      { token_type: 'mfa', tid: user.tenantId },
      'access',
      'atrium-mfa+jwt',
      user.userId,
      MFA_TOKEN_TTL_S,
    );
  }

  async #verify(token: string, purposes: Array<'access' | 'device'>, typs: string[]) {
    if (typeof token !== 'string' || token.length > 4096)
      throw new TokenError('invalid_token', 'The token is not valid.');
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'EdDSA' || typeof header.kid !== 'string' || !typs.includes(String(header.typ))) {
        throw new Error('bad header');
      }
      kid = header.kid;
    } catch {
      throw new TokenError('invalid_token', 'The token is not valid.');
    }
    const key = await this.keys.verificationKey(kid, purposes);
    if (!key) throw new TokenError('invalid_token', 'The token was signed with an unknown or retired key.');
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['EdDSA'],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_ISSUER,
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: this.now(),
        requiredClaims: ['sub', 'exp', 'iat', 'jti', 'token_type', 'tid'],
      });
      return payload;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new TokenError('token_expired', 'The token has expired.');
      throw new TokenError('invalid_token', 'The token is not valid.');
    }
  }

  /** Verifies a bearer token of any accepted kind (user access or kiosk device) and returns who it speaks for. */
  async verifyBearer(token: string): Promise<Principal> {
    const payload = await this.#verify(token, ['access', 'device'], ['at+jwt', 'atrium-device+jwt']);
    const tenantId = String(payload.tid);
    if (payload.token_type === 'user' && Array.isArray(payload.roles)) {
      const roles = (payload.roles as Array<{ role: RoleGrant['role']; site: string | null }>).map((r) => ({
        role: r.role,
        siteId: r.site ?? null,
      }));
      return {
        type: 'user',
        userId: payload.sub!,
        tenantId,
        roles,
        jti: payload.jti!,
        passwordChangeRequired: payload.pcr === true,
        sessionVersion: typeof payload.sv === 'number' ? payload.sv : 0,
      };
    }
    if (payload.token_type === 'kiosk' && typeof payload.sid === 'string') {
      return { type: 'kiosk', kioskId: payload.sub!, tenantId, siteId: payload.sid, jti: payload.jti! };
    }
    throw new TokenError('invalid_token', 'The token is not valid.');
  }

  async verifyMfaToken(token: string): Promise<{ userId: string; tenantId: string; jti: string }> {
    const payload = await this.#verify(token, ['access'], ['atrium-mfa+jwt']);
    if (payload.token_type !== 'mfa') throw new TokenError('invalid_token', 'The token is not valid.');
    return { userId: payload.sub!, tenantId: String(payload.tid), jti: payload.jti! };
  }
}
