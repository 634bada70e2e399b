import { describe, expect, it } from 'vitest';
import { EventBuffer } from './buffer';

describe('EventBuffer', () => {
  it('keeps 10,000 events, drops the oldest beyond that and counts it', () => {
    const buffer = new EventBuffer<{ id: string }>();
    for (let i = 0; i < 10_001; i++) buffer.push({ id: `e${i}` });
    expect(buffer.length).toBe(10_000);
    expect(buffer.dropped).toBe(1);
    expect(buffer.pending()[0]!.id).toBe('e1');
    expect(buffer.pending().at(-1)!.id).toBe('e10000');
  });

  it('forgets an event only when it is acked, and keeps order for a resend', () => {
    const buffer = new EventBuffer<{ id: string }>(5);
    for (const id of ['a', 'b', 'c']) buffer.push({ id });
    expect(buffer.ack('b')).toBe(true);
    expect(buffer.ack('b')).toBe(false);
    expect(buffer.ack('zzz')).toBe(false);
    expect(buffer.pending().map((e) => e.id)).toEqual(['a', 'c']);
  });
});
