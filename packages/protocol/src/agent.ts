import { z } from 'zod';

/** Agent WebSocket protocol (/agent/ws), version 1: JSON text frames, each `{v: 1, type, id, ...}`. */
export const AGENT_PROTOCOL_VERSION = 1;
/** Frames larger than this are refused by both sides. A full reconcile of 10k vouchers is about 1.8 MB. */
export const AGENT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** What an agent can take beyond version 1's first form, announced in agent.status; an older server ignores it. */
export const AGENT_FEATURES = {
  /** vouchers.reconcile in parts (`part`), applied after the last one. */
  reconcileParts: 'reconcile.parts',
} as const;
/** Vouchers per vouchers.reconcile part: about 180 KB, parsed as it arrives instead of one frame of the whole set. */
export const RECONCILE_PART_SIZE = 1000;

/** Opaque printable ASCII (both sides send UUIDs): an id can always be stored, logged and acked back. */
const messageId = z.string().regex(/^[\x21-\x7e]{1,64}$/, 'expected 1 to 64 printable ASCII characters');
const envelope = { v: z.literal(AGENT_PROTOCOL_VERSION), id: messageId };
const time = z.iso.datetime({ offset: true });
/**
 * When an agent saw something, by its own clock: any well-formed time. The server puts its receive time in place of
 * one no sound clock gives (year 0, years ahead) rather than refuse the event and lose the accounting it carries.
 */
const eventTime = time;
const counter = z.number().int().min(0);

export const agentVoucherSchema = z.object({
  id: z.uuid(),
  username: z.string().min(1).max(253),
  password: z.string().min(1).max(128),
  validFrom: time,
  validUntil: time,
  version: z.number().int().min(1),
});
export type AgentVoucher = z.infer<typeof agentVoucherSchema>;

export const radiusTotalsSchema = z.object({
  requests: counter,
  accepts: counter,
  rejects: counter,
  duplicates: counter,
  malformed: counter,
  dropped: counter,
  accounting: counter,
});

// agent → server
export const agentStatusSchema = z.object({
  ...envelope,
  type: z.literal('agent.status'),
  agentVersion: z.string().max(50),
  uptimeSeconds: counter,
  activeSessions: counter,
  vouchers: counter,
  radius: radiusTotalsSchema,
  buffer: z.object({ length: counter, dropped: counter }),
  rssBytes: counter,
  cpuSeconds: z.number().min(0),
  features: z.array(z.string().max(50)).max(20).optional(),
});

export const radiusAuthSchema = z.object({
  ...envelope,
  type: z.literal('radius.auth'),
  at: eventTime,
  voucherId: z.uuid().nullable(),
  result: z.enum(['accept', 'reject']),
  reason: z.string().max(50),
  method: z.enum(['pap', 'chap', 'unknown']),
  nasIp: z.string().max(64).nullable(),
  nasIdentifier: z.string().max(253).nullable(),
});

export const radiusAcctSchema = z.object({
  ...envelope,
  type: z.literal('radius.acct'),
  at: eventTime,
  status: z.enum(['start', 'interim', 'stop', 'accounting-on', 'accounting-off']),
  voucherId: z.uuid().nullable(),
  acctSessionId: z.string().max(253),
  nasIp: z.string().max(64).nullable(),
  nasIdentifier: z.string().max(253).nullable(),
  /** A device's MAC address is personal data: it goes only into session rows the retention purge covers. */
  callingStationId: z.string().max(253).nullable(),
  framedIp: z.string().max(64).nullable(),
  sessionTime: counter.nullable(),
  inputOctets: counter.nullable(),
  outputOctets: counter.nullable(),
  terminateCause: z.number().int().nullable(),
});

export const terminateResultSchema = z.object({
  ...envelope,
  type: z.literal('session.terminate.result'),
  at: eventTime,
  voucherId: z.uuid(),
  acctSessionId: z.string().max(253).nullable(),
  terminator: z.string().max(50),
  result: z.enum(['ack', 'nak', 'timeout', 'error', 'no_session']),
  errorCause: z.number().int().nullable(),
  detail: z.string().max(500).nullable(),
});

export const ackSchema = z.object({ ...envelope, type: z.literal('ack'), ackId: messageId });

export const agentMessageSchema = z.discriminatedUnion('type', [
  agentStatusSchema,
  radiusAuthSchema,
  radiusAcctSchema,
  terminateResultSchema,
  ackSchema,
]);
export type AgentMessage = z.infer<typeof agentMessageSchema>;

// server → agent
/**
 * The site's full voucher set. Without `part` it is whole in this frame (what agents without the reconcileParts
 * feature get). With it, the set comes as parts 0, 1, … of one `set` id, in order; the agent applies it (and drops
 * what is not in it) only after the part marked `last`, and forgets an unfinished set when the link drops.
 */
export const reconcileSchema = z.object({
  ...envelope,
  type: z.literal('vouchers.reconcile'),
  vouchers: z.array(agentVoucherSchema),
  /** `total`: vouchers in the whole set, so the agent sizes its store once. */
  part: z.object({ set: messageId, index: counter, last: z.boolean(), total: counter }).optional(),
});
export const voucherUpsertSchema = z.object({
  ...envelope,
  type: z.literal('voucher.upsert'),
  voucher: agentVoucherSchema,
});
export const voucherRevokeSchema = z.object({
  ...envelope,
  type: z.literal('voucher.revoke'),
  voucherId: z.uuid(),
  version: z.number().int().min(1),
  disconnect: z.boolean(),
});
export const pingSchema = z.object({ ...envelope, type: z.literal('ping'), at: time });
export const protocolErrorSchema = z.object({
  ...envelope,
  type: z.literal('error'),
  code: z.string().max(50),
  message: z.string().max(500),
  ref: z.string().max(64).nullable(),
});

export const serverMessageSchema = z.discriminatedUnion('type', [
  reconcileSchema,
  voucherUpsertSchema,
  voucherRevokeSchema,
  pingSchema,
  ackSchema,
  protocolErrorSchema,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/** Parses one frame; never throws. */
export function parseFrame<T extends z.ZodType>(
  schema: T,
  raw: string,
): { ok: true; message: z.infer<T> } | { ok: false; error: string; id: string | null } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'not JSON', id: null };
  }
  const id =
    typeof (json as { id?: unknown })?.id === 'string' ? ((json as { id: string }).id.slice(0, 64) ?? null) : null;
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    return { ok: false, error: `${issue.path.join('.') || 'message'}: ${issue.message}`, id };
  }
  return { ok: true, message: result.data };
}
