import { Attr, encodeIpaddr, encodeText } from '../radius/attributes';
import type { RadiusAttribute } from '../radius/packet';
import type { Session } from '../vouchers/store';

/** What a NAS needs in a Disconnect-Request to find the session; anything else may earn a NAK. */
export interface CoaProfile {
  /** Session attributes sent, in this order, when the session has a value for them. */
  identify: ReadonlyArray<
    'nas-ip' | 'nas-identifier' | 'user-name' | 'acct-session-id' | 'calling-station-id' | 'framed-ip'
  >;
  /** Whether to add Event-Timestamp (RFC 5176 §3.4 replay protection). */
  eventTimestamp: boolean;
}

/**
 * Vendor quirks, from the vendors' own descriptions of their dynamic authorization servers:
 * - generic: everything the NAS told us, its own identification first so it does not answer
 *   NAS-Identification-Mismatch (RFC 5176 §3), then the session.
 * - cisco: IOS and WLC match on the session id, user and client MAC, and check NAS-IP-Address.
 * - aruba: matches on user, client IP, MAC or session id; with replay protection on it drops a request without
 *   Event-Timestamp.
 * - mikrotik: RouterOS `/radius incoming` matches on user, session id and client IP; it has no use for NAS identity.
 * - unifi: the APs run hostapd's DAS, which NAKs any attribute it does not know (no Framed-IP-Address) and answers
 *   NAS-Identification-Mismatch when NAS-IP-Address is not its own, so only the session itself is named.
 * - fortigate: matches on user, session id and client IP.
 */
export const COA_PROFILES = {
  generic: {
    identify: ['nas-ip', 'nas-identifier', 'user-name', 'acct-session-id', 'calling-station-id', 'framed-ip'],
    eventTimestamp: true,
  },
  cisco: { identify: ['nas-ip', 'user-name', 'acct-session-id', 'calling-station-id'], eventTimestamp: true },
  aruba: { identify: ['user-name', 'acct-session-id', 'calling-station-id', 'framed-ip'], eventTimestamp: true },
  mikrotik: { identify: ['user-name', 'acct-session-id', 'framed-ip'], eventTimestamp: false },
  unifi: { identify: ['user-name', 'acct-session-id', 'calling-station-id'], eventTimestamp: true },
  fortigate: { identify: ['user-name', 'acct-session-id', 'framed-ip'], eventTimestamp: true },
} as const satisfies Record<string, CoaProfile>;

export type CoaProfileName = keyof typeof COA_PROFILES;
export const COA_PROFILE_NAMES = Object.keys(COA_PROFILES) as [CoaProfileName, ...CoaProfileName[]];

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The attributes that name a session to its NAS, as the profile wants them (Event-Timestamp is added on sending). */
export function disconnectAttributes(session: Session, profile: CoaProfile): RadiusAttribute[] {
  const attributes: RadiusAttribute[] = [];
  for (const item of profile.identify) {
    if (item === 'nas-ip' && session.nas.ip && IPV4.test(session.nas.ip)) {
      attributes.push({ type: Attr.NasIpAddress, value: encodeIpaddr(session.nas.ip) });
    } else if (item === 'nas-identifier' && session.nas.identifier) {
      attributes.push({ type: Attr.NasIdentifier, value: encodeText(session.nas.identifier) });
    } else if (item === 'user-name' && session.username) {
      attributes.push({ type: Attr.UserName, value: encodeText(session.username) });
    } else if (item === 'acct-session-id') {
      attributes.push({ type: Attr.AcctSessionId, value: encodeText(session.acctSessionId) });
    } else if (item === 'calling-station-id' && session.callingStationId) {
      attributes.push({ type: Attr.CallingStationId, value: encodeText(session.callingStationId) });
    } else if (item === 'framed-ip' && session.framedIp && IPV4.test(session.framedIp)) {
      attributes.push({ type: Attr.FramedIpAddress, value: encodeIpaddr(session.framedIp) });
    }
  }
  return attributes;
}
