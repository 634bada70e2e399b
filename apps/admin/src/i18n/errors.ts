import { ERROR_CODES, type ErrorCode } from '@atrium/protocol';
import type { MessageKey } from './en';

/**
 * Codes only the kiosk's own API (`/kiosk/*`: device token, pairing, walk-ins) and the agent endpoint answer with. No
 * admin screen calls those, so they have no text here; every other code has one in each language (`errors.<code>`),
 * and a code added to ERROR_CODES does not compile until it is given a text or listed here.
 */
export const NOT_FOR_ADMIN = [
  'kiosk_revoked',
  'walk_ins_disabled',
  'staff_pin_wrong',
  'staff_pin_not_set',
  'pairing_busy',
  'expired',
  'slow_down',
  'client_certificate_required',
  'invalid_client_certificate',
  'untrusted_proxy',
  'upgrade_required',
] as const satisfies readonly ErrorCode[];

export type AdminErrorCode = Exclude<ErrorCode, (typeof NOT_FOR_ADMIN)[number]>;

export const ADMIN_ERROR_CODES: readonly AdminErrorCode[] = ERROR_CODES.filter(
  (code): code is AdminErrorCode => !(NOT_FOR_ADMIN as readonly string[]).includes(code),
);

export function isAdminErrorCode(code: string): code is AdminErrorCode {
  return (ADMIN_ERROR_CODES as readonly string[]).includes(code);
}

/** The text of each code the admin can receive: this does not compile while one is missing from the catalogues. */
export const errorKey = (code: AdminErrorCode): MessageKey => `errors.${code}`;
