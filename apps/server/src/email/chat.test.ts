import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToChat } from './chat';
import { SendFailure } from './transport';

let server: http.Server;
let base: string;
const received: unknown[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.statusCode = Number(req.url!.slice(1)) || 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const failureOf = (url: string) =>
  postToChat(url, 'x').then(
    () => undefined,
    (error: unknown) => error as SendFailure,
  );

describe('chat webhook posts', () => {
  it('posts the line as { text }, the shape Slack and Teams incoming webhooks take', async () => {
    await postToChat(`${base}/200`, 'Ada Lovelace has arrived at Berlin Office.');
    expect(received.at(-1)).toEqual({ text: 'Ada Lovelace has arrived at Berlin Office.' });
  });

  it('gives up on a 4xx, retries a 429, a 5xx and a refused connection', async () => {
    expect(await failureOf(`${base}/404`)).toMatchObject({ permanent: true, message: 'chat webhook answered 404' });
    expect((await failureOf(`${base}/429`))?.permanent).toBe(false);
    expect((await failureOf(`${base}/503`))?.permanent).toBe(false);
    const refused = await failureOf('http://127.0.0.1:1/');
    expect(refused).toBeInstanceOf(SendFailure);
    expect(refused?.permanent).toBe(false);
  });
});
