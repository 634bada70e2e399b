import { describe, expect, it } from 'vitest';
import { backoffDelay, createSseParser, type SseMessage } from './sse';

function parse(chunks: string[]): SseMessage[] {
  const out: SseMessage[] = [];
  const parser = createSseParser((m) => out.push(m));
  for (const chunk of chunks) parser.push(chunk);
  return out;
}

describe('createSseParser', () => {
  it('reads the server stream: retry line, heartbeat comments, typed events with ids', () => {
    const stream =
      'retry: 3000\n\n: keep-alive\n\nid: 7\nevent: visit.checked_in\ndata: {"siteId":"s1","visitId":"v1"}\n\n';
    expect(parse([stream])).toEqual([{ id: '7', event: 'visit.checked_in', data: '{"siteId":"s1","visitId":"v1"}' }]);
  });

  it('assembles events split anywhere across chunks, including inside \\r\\n', () => {
    const text = 'event: a\r\ndata: 1\r\n\r\nevent: b\r\ndata: 2\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      expect(parse([text.slice(0, cut), text.slice(cut)]).map((m) => `${m.event}=${m.data}`)).toEqual(['a=1', 'b=2']);
    }
  });

  it('joins multi-line data and defaults the event name', () => {
    expect(parse(['data: line one\ndata: line two\n\n'])).toEqual([
      { event: 'message', data: 'line one\nline two', id: null },
    ]);
  });

  it('waits for the blank line before dispatching', () => {
    expect(parse(['event: a\ndata: 1\n'])).toEqual([]);
  });
});

describe('backoffDelay', () => {
  it('doubles from 1 s up to 30 s, with jitter between half and all of it', () => {
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(8000);
    expect(backoffDelay(20, () => 1)).toBe(30_000);
    expect(backoffDelay(20, () => 0)).toBe(15_000);
  });
});
