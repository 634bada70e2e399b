import type { AgentMessage } from '@atrium/protocol';
import { describe, expect, it } from 'vitest';
import { storableEvent, storableText } from './storable';

const receivedAt = new Date('2026-03-01T12:00:00.000Z');
const acct = (fields: Record<string, unknown> = {}) =>
  ({
    v: 1,
    id: 'e1',
    type: 'radius.acct',
    at: '2026-03-01T11:59:00.000Z',
    status: 'stop',
    voucherId: null,
    acctSessionId: 'S1',
    nasIp: '10.0.0.1',
    nasIdentifier: 'ap-1',
    callingStationId: null,
    framedIp: null,
    sessionTime: 60,
    inputOctets: 5,
    outputOctets: 6,
    terminateCause: 1,
    ...fields,
  }) as AgentMessage;

describe('values agent events carry into the database', () => {
  it('leaves a sound event exactly as it came', () => {
    const event = acct();
    expect(storableEvent(event, receivedAt)).toEqual({ message: event, cleaned: [] });
  });

  it('drops NUL and replaces lone surrogates, keeping proper pairs', () => {
    expect(storableText('A\u0000B')).toBe('AB');
    expect(storableText('x\ud800y\udc00z')).toBe('x\ufffdy\ufffdz');
    expect(storableText('\udc00\ud800')).toBe('\ufffd\ufffd');
    expect(storableText('ok \ud83d\ude00')).toBe('ok \ud83d\ude00');
  });

  it('puts the receive time in place of a timestamp no sound clock gives: year 0, before 2000, a day ahead', () => {
    for (const at of [
      '0000-01-01T00:00:00Z',
      '0001-01-01T00:00:00+14:00',
      '1999-12-31T23:59:59Z',
      '9999-12-31T23:59:59Z',
    ])
      expect(storableEvent(acct({ at }), receivedAt)).toMatchObject({
        message: { at: receivedAt.toISOString() },
        cleaned: ['at'],
      });
    expect(storableEvent(acct({ at: '2026-03-02T11:00:00Z' }), receivedAt).cleaned).toEqual([]);
  });

  it('makes integers beyond an integer column unknown rather than wrong', () => {
    const { message, cleaned } = storableEvent(
      acct({ sessionTime: 2 ** 31, terminateCause: -(2 ** 31) - 1, inputOctets: Number.MAX_SAFE_INTEGER }),
      receivedAt,
    );
    expect(message).toMatchObject({ sessionTime: null, terminateCause: null, inputOctets: Number.MAX_SAFE_INTEGER });
    expect(cleaned).toEqual(['sessionTime', 'terminateCause']);
    expect(storableEvent(acct({ sessionTime: 2 ** 31 - 1 }), receivedAt).cleaned).toEqual([]);
  });
});
