import { z } from 'zod';

/**
 * Every `error.code` the server answers with (DESIGN §7.1 codes are a fixed contract: add, never rename). The server's
 * error factories take only these, and the web apps' message tables are typed by them, so a new code cannot ship
 * without a decision on what each app shows for it. A unit test (apps/server/src/http/error-codes.test.ts) fails when
 * the server source mentions a code that is missing here.
 */
export const ERROR_CODES = [
  // Reading the request (400, 413, 415)
  'invalid_input',
  'malformed_json',
  'request_aborted',
  'bad_request',
  'payload_too_large',
  'unsupported_media_type',
  'unsupported_encoding',
  // Who is asking (401, 403)
  'unauthorized',
  'invalid_credentials',
  'invalid_token',
  'token_expired',
  'invalid_code',
  'kiosk_revoked',
  'wrong_token_type',
  'password_change_required',
  'forbidden',
  'walk_ins_disabled',
  'password_login_disabled',
  'staff_pin_wrong',
  'staff_pin_not_set',
  // The agent endpoint (/agent/ws): certificates and upgrades (401, 403, 426)
  'client_certificate_required',
  'invalid_client_certificate',
  'untrusted_proxy',
  'upgrade_required',
  // Not there (404, 410)
  'not_found',
  'unknown_code',
  'expired',
  // The state does not allow it (409)
  'already_used',
  'not_checked_in',
  'idempotency_key_reused',
  'email_taken',
  'cannot_change_self',
  'mfa_already_enabled',
  'mfa_not_started',
  'visit_not_editable',
  'visit_in_progress',
  'visit_not_cancellable',
  'agent_revoked',
  'no_password',
  'last_tenant_admin',
  // Single sign-on (OpenID Connect): refusals the callback sends back to the sign-in page (#sso_error=…), 404 when it
  // is not set up, 401 for a handoff code that expired or was used
  'sso_not_configured',
  'sso_unavailable',
  'sso_denied',
  'sso_state_mismatch',
  'sso_code_rejected',
  'sso_nonce_mismatch',
  'sso_issuer_mismatch',
  'sso_invalid_response',
  'sso_email_unverified',
  'sso_domain_not_allowed',
  'sso_no_account',
  'sso_account_disabled',
  'sso_handoff_invalid',
  'email_not_configured',
  'visitor_has_no_email',
  'message_not_failed',
  // A visitor code that cannot be used here (422)
  'token_not_yet_valid',
  'wrong_site',
  'visit_cancelled',
  // Too many, too fast, too busy (429, 503), and our own fault (500)
  'rate_limited',
  'slow_down',
  'pairing_busy',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * Every error the API returns has this shape (DESIGN §7). The code is checked for its form only, not against
 * ERROR_CODES: a client must still read the error of a newer server that knows more codes.
 */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().regex(/^[a-z][a-z0-9_]*$/),
    message: z.string().min(1),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
