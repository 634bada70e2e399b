/**
 * The RADIUS attributes the agent reads or writes (RFC 2865, 2866, 2869, 3162, 5176), with their wire types, and the
 * value codecs for those types. Values on the wire are at most 253 octets.
 */

export type AttributeValueType = 'text' | 'string' | 'octets' | 'integer' | 'ipaddr' | 'ipv6addr' | 'date';

export const Attr = {
  UserName: 1,
  UserPassword: 2,
  ChapPassword: 3,
  NasIpAddress: 4,
  NasPort: 5,
  ServiceType: 6,
  FramedIpAddress: 8,
  ReplyMessage: 18,
  State: 24,
  Class: 25,
  VendorSpecific: 26,
  SessionTimeout: 27,
  IdleTimeout: 28,
  CalledStationId: 30,
  CallingStationId: 31,
  NasIdentifier: 32,
  ProxyState: 33,
  AcctStatusType: 40,
  AcctDelayTime: 41,
  AcctInputOctets: 42,
  AcctOutputOctets: 43,
  AcctSessionId: 44,
  AcctSessionTime: 46,
  AcctInputPackets: 47,
  AcctOutputPackets: 48,
  AcctTerminateCause: 49,
  AcctInputGigawords: 52,
  AcctOutputGigawords: 53,
  EventTimestamp: 55,
  ChapChallenge: 60,
  NasPortType: 61,
  MessageAuthenticator: 80,
  AcctInterimInterval: 85,
  NasIpv6Address: 95,
  ErrorCause: 101,
} as const;
export type AttrCode = (typeof Attr)[keyof typeof Attr];

export interface AttributeDefinition {
  name: string;
  type: AttributeValueType;
}

const definitions: Array<[number, string, AttributeValueType]> = [
  [Attr.UserName, 'User-Name', 'text'],
  [Attr.UserPassword, 'User-Password', 'string'],
  [Attr.ChapPassword, 'CHAP-Password', 'octets'],
  [Attr.NasIpAddress, 'NAS-IP-Address', 'ipaddr'],
  [Attr.NasPort, 'NAS-Port', 'integer'],
  [Attr.ServiceType, 'Service-Type', 'integer'],
  [Attr.FramedIpAddress, 'Framed-IP-Address', 'ipaddr'],
  [Attr.ReplyMessage, 'Reply-Message', 'text'],
  [Attr.State, 'State', 'octets'],
  [Attr.Class, 'Class', 'octets'],
  [Attr.VendorSpecific, 'Vendor-Specific', 'octets'],
  [Attr.SessionTimeout, 'Session-Timeout', 'integer'],
  [Attr.IdleTimeout, 'Idle-Timeout', 'integer'],
  [Attr.CalledStationId, 'Called-Station-Id', 'text'],
  [Attr.CallingStationId, 'Calling-Station-Id', 'text'],
  [Attr.NasIdentifier, 'NAS-Identifier', 'text'],
  [Attr.ProxyState, 'Proxy-State', 'octets'],
  [Attr.AcctStatusType, 'Acct-Status-Type', 'integer'],
  [Attr.AcctDelayTime, 'Acct-Delay-Time', 'integer'],
  [Attr.AcctInputOctets, 'Acct-Input-Octets', 'integer'],
  [Attr.AcctOutputOctets, 'Acct-Output-Octets', 'integer'],
  [Attr.AcctSessionId, 'Acct-Session-Id', 'text'],
  [Attr.AcctSessionTime, 'Acct-Session-Time', 'integer'],
  [Attr.AcctInputPackets, 'Acct-Input-Packets', 'integer'],
  [Attr.AcctOutputPackets, 'Acct-Output-Packets', 'integer'],
  [Attr.AcctTerminateCause, 'Acct-Terminate-Cause', 'integer'],
  [Attr.AcctInputGigawords, 'Acct-Input-Gigawords', 'integer'],
  [Attr.AcctOutputGigawords, 'Acct-Output-Gigawords', 'integer'],
  [Attr.EventTimestamp, 'Event-Timestamp', 'date'],
  [Attr.ChapChallenge, 'CHAP-Challenge', 'octets'],
  [Attr.NasPortType, 'NAS-Port-Type', 'integer'],
  [Attr.MessageAuthenticator, 'Message-Authenticator', 'octets'],
  [Attr.AcctInterimInterval, 'Acct-Interim-Interval', 'integer'],
  [Attr.NasIpv6Address, 'NAS-IPv6-Address', 'ipv6addr'],
  [Attr.ErrorCause, 'Error-Cause', 'integer'],
];

export const ATTRIBUTES: ReadonlyMap<number, AttributeDefinition> = new Map(
  definitions.map(([code, name, type]) => [code, { name, type }]),
);

/** Acct-Status-Type values (RFC 2866 §5.1). */
export const AcctStatus = { Start: 1, Stop: 2, InterimUpdate: 3, AccountingOn: 7, AccountingOff: 8 } as const;

/** Error-Cause values used in Disconnect/CoA-NAK (RFC 5176 §3.6). */
export const ErrorCause = {
  ResidualSessionContextRemoved: 201,
  UnsupportedAttribute: 401,
  MissingAttribute: 402,
  NasIdentificationMismatch: 403,
  InvalidRequest: 404,
  UnsupportedService: 405,
  AdministrativelyProhibited: 501,
  SessionContextNotFound: 503,
  SessionContextNotRemovable: 504,
  ResourcesUnavailable: 506,
} as const;

export const MAX_ATTRIBUTE_VALUE = 253;

export function textValue(value: Buffer): string {
  return value.toString('utf8');
}

/** A 32-bit unsigned integer, or undefined when the value is not exactly 4 octets. */
export function integerValue(value: Buffer): number | undefined {
  return value.length === 4 ? value.readUInt32BE(0) : undefined;
}

/** Dotted quad, or undefined when the value is not exactly 4 octets. */
export function ipaddrValue(value: Buffer): string | undefined {
  return value.length === 4 ? `${value[0]}.${value[1]}.${value[2]}.${value[3]}` : undefined;
}

/** RFC 5952-ish text form (uncompressed groups), or undefined when the value is not exactly 16 octets. */
export function ipv6addrValue(value: Buffer): string | undefined {
  if (value.length !== 16) return undefined;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(value.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/** Seconds since the epoch (RFC 2869 §5.3) as a Date, or undefined when the value is not exactly 4 octets. */
export function dateValue(value: Buffer): Date | undefined {
  const seconds = integerValue(value);
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}

export function encodeText(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

export function encodeInteger(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new RangeError(`integer attribute value out of range: ${value}`);
  }
  const buf = Buffer.allocUnsafe(4);
  buf.writeUInt32BE(value, 0);
  return buf;
}

export function encodeIpaddr(address: string): Buffer {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`not an IPv4 address: ${address}`);
  }
  return Buffer.from(parts);
}

export function encodeDate(date: Date): Buffer {
  return encodeInteger(Math.floor(date.getTime() / 1000));
}
