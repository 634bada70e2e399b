import type { AgentMessage } from '@atrium/protocol';

/**
 * Agent events come from the field (NAS attributes, agent clocks): values PostgreSQL and PGlite cannot store are made
 * storable here, before recording, so one odd event never costs the link or its batch-mates.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Columns these fields land in are `integer`: beyond its range the value is unknown, not clamped.
const INT4_FIELDS = new Set(['sessionTime', 'terminateCause', 'errorCause']);
const INT4_MIN = -2_147_483_648;
const INT4_MAX = 2_147_483_647;
/** Older than this, an agent's clock is wrong (or it sent year 0, which the database refuses). */
export const EARLIEST_EVENT_TIME = Date.UTC(2000, 0, 1);
/** Further ahead of the server than this, likewise; the time the server received it is the better guess. */
export const MAX_EVENT_CLOCK_AHEAD_MS = 24 * 3600_000;

/** Text PostgreSQL can hold: no NUL, well-formed UTF-16 (a lone surrogate becomes U+FFFD). */
export function storableText(value: string): string {
  return value.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd');
}

export interface StorableEvent<T extends AgentMessage> {
  message: T;
  /** Names of the fields that had to change, in message order; empty when the event was fine. */
  cleaned: string[];
}

/** The event with every value made storable; `receivedAt` stands in for a timestamp no clock could have produced. */
export function storableEvent<T extends AgentMessage>(message: T, receivedAt: Date): StorableEvent<T> {
  const out: Record<string, unknown> = {};
  const cleaned: string[] = [];
  for (const [key, value] of Object.entries(message)) {
    let next = value;
    if (key === 'at' && typeof value === 'string') {
      const time = Date.parse(value);
      const sane = time >= EARLIEST_EVENT_TIME && time <= receivedAt.getTime() + MAX_EVENT_CLOCK_AHEAD_MS;
      if (!sane) next = receivedAt.toISOString();
    } else if (typeof value === 'string' && key !== 'type' && key !== 'id') {
      next = storableText(value);
    } else if (typeof value === 'number' && INT4_FIELDS.has(key)) {
      if (value < INT4_MIN || value > INT4_MAX) next = null;
    }
    if (next !== value) cleaned.push(key);
    out[key] = next;
  }
  return { message: out as T, cleaned };
}
