/** One server-sent event as the WHATWG spec assembles it. */
export interface SseMessage {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Incremental text/event-stream parser: feed it decoded chunks in any split; it calls `onMessage` per complete
 * event. Comments (heartbeats) and `retry:` lines are skipped; an event without data is not dispatched.
 */
export function createSseParser(onMessage: (message: SseMessage) => void) {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | null = null;

  function line(text: string) {
    if (text === '') {
      if (data.length > 0) onMessage({ event: event || 'message', data: data.join('\n'), id });
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }

  return {
    push(chunk: string) {
      buffer += chunk;
      let end = buffer.search(/\r\n|\r|\n/);
      while (end !== -1) {
        // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
        if (buffer[end] === '\r' && end === buffer.length - 1) break;
        const size = buffer.startsWith('\r\n', end) ? 2 : 1;
        line(buffer.slice(0, end));
        buffer = buffer.slice(end + size);
        end = buffer.search(/\r\n|\r|\n/);
      }
    },
  };
}

/** Exponential backoff with jitter: 1 s, 2 s, 4 s … capped at 30 s, each scaled by 0.5–1. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(ceiling * (0.5 + random() / 2));
}
