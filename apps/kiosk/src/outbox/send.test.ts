import { describe, expect, it } from 'vitest';
import type { KioskApi } from '../api';
import { apiSender } from './send';
import type { OutboxEntry } from './types';

function recordingApi(sent: unknown[]): KioskApi {
  return {
    submit: async (_kind: string, body: unknown) => {
      sent.push(body);
      return { status: 201, body: {} };
    },
  } as unknown as KioskApi;
}

const entry = (attempts: number) =>
  ({
    id: 1,
    kind: 'check_in',
    body: {
      token: 't',
      idempotencyKey: '00000000-0000-4000-8000-000000000001',
      occurredAt: '2026-11-23T10:00:00.000Z',
    },
    displayName: 'Ada',
    attempts,
  }) as unknown as OutboxEntry;

describe('apiSender', () => {
  it('sends a scan as it was written on the first try, and marks it offline once a try has failed', async () => {
    const sent: unknown[] = [];
    const send = apiSender(recordingApi(sent));
    await send(entry(0));
    await send(entry(2));
    expect(sent[0]).not.toHaveProperty('offline');
    expect(sent[1]).toMatchObject({ offline: true, idempotencyKey: '00000000-0000-4000-8000-000000000001' });
  });
});
