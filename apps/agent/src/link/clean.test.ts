import { radiusAcctSchema, terminateResultSchema } from '@atrium/protocol';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { textValue } from '../radius/attributes';
import { cleanEvent, cleanText } from './clean';
import { type AgentEvent, ServerLink } from './link';

const acct = (fields: Partial<Extract<AgentEvent, { type: 'radius.acct' }>> = {}): AgentEvent => ({
  type: 'radius.acct',
  at: '2026-03-01T12:00:00.000Z',
  status: 'start',
  voucherId: null,
  acctSessionId: 'S1',
  nasIp: '10.0.0.1',
  nasIdentifier: 'ap-1',
  callingStationId: 'AA-BB-CC-00-11-22',
  framedIp: null,
  sessionTime: 0,
  inputOctets: 0,
  outputOctets: 0,
  terminateCause: null,
  ...fields,
});

describe('cleaning RADIUS attributes before they become event fields', () => {
  it('drops NUL and every other control character, keeping the rest of the text', () => {
    expect(cleanText(textValue(Buffer.from([0x41, 0x00, 0x42, 0x00])))).toBe('AB');
    expect(cleanText('ap\r\n1\t\u007f\u0085')).toBe('ap1');
    expect(cleanText('Café 🛜')).toBe('Café 🛜');
  });

  it('yields well-formed text: bad UTF-8 was replaced when decoded, lone surrogates are replaced here', () => {
    expect(cleanText(textValue(Buffer.from([0x61, 0xff, 0xc3])))).toBe('a\ufffd\ufffd');
    expect(cleanText('x\ud800y\udc00')).toBe('x\ufffdy\ufffd');
  });

  it('caps length without splitting a surrogate pair', () => {
    expect(cleanText('a'.repeat(1000))).toHaveLength(253);
    const cut = cleanText(`${'a'.repeat(252)}🛜`);
    expect(cut).toBe('a'.repeat(252));
    expect(cleanText('x'.repeat(600), 500)).toHaveLength(500);
  });

  it('turns an event with hostile attributes into one the shared schema takes', () => {
    const cleaned = cleanEvent(
      acct({
        acctSessionId: 'A\u0000B',
        nasIdentifier: `ap\u0000${'z'.repeat(300)}`,
        callingStationId: '\ud800',
        inputOctets: 2 ** 32 * (2 ** 32 - 1) + 5,
        outputOctets: 42,
      }),
    );
    expect(cleaned).toMatchObject({
      acctSessionId: 'AB',
      callingStationId: '\ufffd',
      inputOctets: null,
      outputOctets: 42,
      at: '2026-03-01T12:00:00.000Z',
    });
    expect(radiusAcctSchema.safeParse({ v: 1, id: 'e1', ...cleaned }).success).toBe(true);
    const terminate = cleanEvent({
      type: 'session.terminate.result',
      at: '2026-03-01T12:00:00.000Z',
      voucherId: '0b7a8a47-6c9b-4e55-9a37-2a4f2c8f9a10',
      acctSessionId: 'S\u0000',
      terminator: 'coa',
      result: 'nak',
      errorCause: 503,
      detail: `refused\u0000 ${'.'.repeat(600)}`,
    });
    expect(terminate).toMatchObject({ acctSessionId: 'S' });
    expect(terminateResultSchema.safeParse({ v: 1, id: 'e2', ...terminate }).success).toBe(true);
  });

  it('the link queues events cleaned, and drops (and counts) one the server would refuse anyway', () => {
    const link = new ServerLink({
      url: 'wss://127.0.0.1:1/agent/ws',
      tls: { cert: '', key: '', ca: '' },
      logger: pino({ level: 'silent' }),
      handlers: { status: () => ({}) as never, reconcile: () => ({}) as never, upsert: () => {}, revoke: () => {} },
    });
    link.report(acct({ acctSessionId: 'A\u0000B' }));
    expect(link.buffer.pending()).toEqual([expect.objectContaining({ acctSessionId: 'AB', v: 1 })]);
    link.report(acct({ at: 'yesterday' }));
    expect(link.buffer.length).toBe(1);
    expect(link.unsendable).toBe(1);
  });
});
