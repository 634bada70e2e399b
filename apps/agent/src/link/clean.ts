import type { AgentEvent } from './link';

// RADIUS text comes off the wire as UTF-8 decoded with bad bytes already replaced (U+FFFD); what is left to fix before
// it becomes an event field: control characters (NUL above all, which no database text column takes), halves of
// surrogate pairs, and lengths. Integers a NAS sends as 64 bits (octets with gigawords) may pass what JSON carries
// exactly.
const CONTROL = /\p{Cc}/gu;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** A RADIUS attribute carries at most 253 octets: longer text never came from one. */
export const MAX_EVENT_TEXT = 253;
/** Free-text fields the protocol allows to be longer. */
const LONGER: Partial<Record<string, number>> = { detail: 500 };

/** Printable, well-formed text of at most `max` UTF-16 units, never ending in half a pair. */
export function cleanText(value: string, max = MAX_EVENT_TEXT): string {
  let text = value.replace(CONTROL, '').replace(LONE_SURROGATE, '\ufffd');
  if (text.length > max) {
    text = text.slice(0, max);
    if (/[\ud800-\udbff]$/.test(text)) text = text.slice(0, -1);
  }
  return text;
}

/** The event with its text cleaned and its counters exact (an integer JSON cannot carry exactly becomes unknown). */
export function cleanEvent<T extends AgentEvent>(event: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (typeof value === 'string' && key !== 'type' && key !== 'at') out[key] = cleanText(value, LONGER[key]);
    else if (typeof value === 'number' && !Number.isSafeInteger(value)) out[key] = null;
    else out[key] = value;
  }
  return out as T;
}
