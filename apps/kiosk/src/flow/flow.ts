import { type ErrorCode, isErrorCode, KIOSK_ERROR_CODES } from '@atrium/protocol';
import type { LocalRefusal, ScanMode } from '../scan/verify';

/** Every reason the visitor can be shown on the error screen; each has an `error.<reason>` text in both languages. */
export const REFUSAL_REASONS = [
  // The server's codes, then what only the kiosk itself can find.
  ...KIOSK_ERROR_CODES,
  'kiosk_must_reconnect',
  'camera_denied',
  'no_camera',
  'camera_busy',
  'camera_failed',
  'scanner_unavailable',
  'unknown',
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];
export type CameraFailure = Extract<
  RefusalReason,
  'camera_denied' | 'no_camera' | 'camera_busy' | 'camera_failed' | 'scanner_unavailable'
>;

/** Every local refusal has its own text (this does not compile if one is missing from REFUSAL_REASONS). */
export function reasonFromLocal(reason: LocalRefusal): RefusalReason {
  return reason;
}

/**
 * What a visitor reads for each server code: its own sentence for what a scan or a walk-in can run into, else
 * `unknown` ("please ask at reception"), since a visitor can do nothing about a malformed request, a sign-in or an
 * admin-only rule. Typed by ErrorCode: a new server code does not compile until it is decided here.
 */
const REASON_FOR_CODE: Record<ErrorCode, RefusalReason> = {
  invalid_token: 'invalid_token',
  token_expired: 'token_expired',
  token_not_yet_valid: 'token_not_yet_valid',
  wrong_site: 'wrong_site',
  already_used: 'already_used',
  visit_cancelled: 'visit_cancelled',
  not_checked_in: 'not_checked_in',
  kiosk_revoked: 'kiosk_revoked',
  walk_ins_disabled: 'walk_ins_disabled',
  not_found: 'not_found',
  rate_limited: 'rate_limited',
  // The kiosk's own mistakes or the network's: nothing the visitor can fix.
  invalid_input: 'unknown',
  malformed_json: 'unknown',
  request_aborted: 'unknown',
  bad_request: 'unknown',
  payload_too_large: 'unknown',
  unsupported_media_type: 'unknown',
  unsupported_encoding: 'unknown',
  idempotency_key_reused: 'unknown',
  unauthorized: 'unknown',
  wrong_token_type: 'unknown',
  forbidden: 'unknown',
  internal: 'unknown',
  // Pairing (shown on the pairing screen, not to visitors) and the agent endpoint.
  expired: 'unknown',
  slow_down: 'unknown',
  pairing_busy: 'unknown',
  client_certificate_required: 'unknown',
  invalid_client_certificate: 'unknown',
  untrusted_proxy: 'unknown',
  upgrade_required: 'unknown',
  // The staff unlock answers these to its own dialog, never to a visitor's screen.
  staff_pin_wrong: 'unknown',
  staff_pin_not_set: 'unknown',
  // Staff sign-in and administration: a kiosk never calls those routes.
  invalid_credentials: 'unknown',
  invalid_code: 'unknown',
  password_change_required: 'unknown',
  unknown_code: 'unknown',
  email_taken: 'unknown',
  cannot_change_self: 'unknown',
  mfa_already_enabled: 'unknown',
  mfa_not_started: 'unknown',
  visit_not_editable: 'unknown',
  visit_in_progress: 'unknown',
  visit_not_cancellable: 'unknown',
  agent_revoked: 'unknown',
  password_login_disabled: 'unknown',
  no_password: 'unknown',
  last_tenant_admin: 'unknown',
  sso_not_configured: 'unknown',
  sso_unavailable: 'unknown',
  sso_denied: 'unknown',
  sso_state_mismatch: 'unknown',
  sso_code_rejected: 'unknown',
  sso_nonce_mismatch: 'unknown',
  sso_issuer_mismatch: 'unknown',
  sso_invalid_response: 'unknown',
  sso_email_unverified: 'unknown',
  sso_domain_not_allowed: 'unknown',
  sso_no_account: 'unknown',
  sso_account_disabled: 'unknown',
  sso_handoff_invalid: 'unknown',
  // Email (invitations, the Messages page): staff only.
  email_not_configured: 'unknown',
  visitor_has_no_email: 'unknown',
  message_not_failed: 'unknown',
};

/** A server error code as a reason the visitor can read; a code this kiosk does not know gets the generic one. */
export function reasonFromCode(code: string): RefusalReason {
  return isErrorCode(code) ? REASON_FOR_CODE[code] : 'unknown';
}

/** What the visitor was doing when a refusal came: the error screen offers what helps with that. */
export type Attempt = ScanMode | 'walk_in';

export type Screen =
  | { name: 'idle' }
  | { name: 'scanning'; mode: ScanMode }
  | { name: 'checking'; mode: ScanMode }
  | { name: 'walk_in' }
  | { name: 'welcome'; entryId: number; displayName: string; kind: 'check_in' | 'walk_in' }
  | { name: 'checked_out'; entryId: number; displayName: string }
  | { name: 'error'; reason: RefusalReason; attempt: Attempt | null; validFrom?: string };

export type FlowAction =
  | { type: 'scan'; mode: ScanMode }
  | { type: 'walk_in' }
  | { type: 'scanned' }
  | { type: 'accepted'; kind: 'check_in' | 'check_out' | 'walk_in'; entryId: number; displayName: string }
  /** Refused locally (no entryId) or by the server for the entry the screen is waiting on. */
  | { type: 'refused'; reason: RefusalReason; entryId?: number; validFrom?: string }
  | { type: 'home' };

export const initialScreen: Screen = { name: 'idle' };

function attemptOf(screen: Screen): Attempt | null {
  if (screen.name === 'scanning' || screen.name === 'checking') return screen.mode;
  if (screen.name === 'walk_in') return 'walk_in';
  if (screen.name === 'welcome') return screen.kind;
  if (screen.name === 'checked_out') return 'check_out';
  return null;
}

/**
 * The visitor's path through the kiosk. Results only land on the screen that is waiting for them: a late answer for a
 * visitor who already went back to the start changes nothing.
 */
export function flowReducer(screen: Screen, action: FlowAction): Screen {
  switch (action.type) {
    case 'scan':
      return screen.name === 'idle' || screen.name === 'error' ? { name: 'scanning', mode: action.mode } : screen;
    case 'walk_in':
      return screen.name === 'idle' || screen.name === 'error' ? { name: 'walk_in' } : screen;
    case 'scanned':
      return screen.name === 'scanning' ? { name: 'checking', mode: screen.mode } : screen;
    case 'accepted':
      if (screen.name !== 'checking' && screen.name !== 'walk_in') return screen;
      return action.kind === 'check_out'
        ? { name: 'checked_out', entryId: action.entryId, displayName: action.displayName }
        : { name: 'welcome', entryId: action.entryId, displayName: action.displayName, kind: action.kind };
    case 'refused': {
      if (action.entryId === undefined) {
        const waiting = screen.name === 'scanning' || screen.name === 'checking' || screen.name === 'walk_in';
        if (!waiting) return screen;
        const refusal: Screen = { name: 'error', reason: action.reason, attempt: attemptOf(screen) };
        return action.validFrom ? { ...refusal, validFrom: action.validFrom } : refusal;
      }
      if ((screen.name === 'welcome' || screen.name === 'checked_out') && screen.entryId === action.entryId) {
        return { name: 'error', reason: action.reason, attempt: attemptOf(screen) };
      }
      return screen;
    }
    case 'home':
      return initialScreen;
  }
}

/** The heading of a refusal screen: what happened, in a few words. Each has a `refusal.<title>` text. */
export type RefusalTitle =
  | 'alreadyIn'
  | 'notIn'
  | 'notYet'
  | 'expired'
  | 'cancelled'
  | 'otherSite'
  | 'notOurs'
  | 'camera'
  | 'busy'
  | 'askReception';

/** The one thing that can help after a refusal, besides going back to the start. */
export type RefusalAction = { type: 'scan'; mode: ScanMode } | { type: 'walk_in' } | null;

/**
 * Each refusal's own title and the one action that can help: a code already used to check in can still check out, a
 * check-out without a check-in can check in, a bad read or a busy camera can be tried again; for the rest only
 * reception can help, and the screen says so instead of offering "try again".
 */
export function refusalHelp(
  reason: RefusalReason,
  attempt: Attempt | null,
): { title: RefusalTitle; action: RefusalAction } {
  const again: RefusalAction =
    attempt === null ? null : attempt === 'walk_in' ? { type: 'walk_in' } : { type: 'scan', mode: attempt };
  switch (reason) {
    case 'already_used':
      return attempt === 'check_in'
        ? { title: 'alreadyIn', action: { type: 'scan', mode: 'check_out' } }
        : { title: 'askReception', action: null };
    case 'not_checked_in':
      return { title: 'notIn', action: { type: 'scan', mode: 'check_in' } };
    case 'token_not_yet_valid':
      return { title: 'notYet', action: null };
    case 'token_expired':
      return { title: 'expired', action: null };
    case 'visit_cancelled':
      return { title: 'cancelled', action: null };
    case 'wrong_site':
      return { title: 'otherSite', action: null };
    case 'invalid_token':
      return { title: 'notOurs', action: again };
    case 'camera_busy':
    case 'camera_failed':
      return { title: 'camera', action: again };
    case 'camera_denied':
    case 'no_camera':
    case 'scanner_unavailable':
      return { title: 'camera', action: null };
    case 'rate_limited':
      return { title: 'busy', action: again };
    default:
      return { title: 'askReception', action: null };
  }
}

/** Screens a software update may interrupt: nobody is in the middle of anything. */
export function isAtRest(screen: Screen): boolean {
  return screen.name === 'idle';
}
