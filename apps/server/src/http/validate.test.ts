import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { errorOf } from '../../test/json';
import { errorHandler } from './errors';
import { validate } from './validate';

let server: http.Server;
let url: string;

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.post(
    '/things/:id',
    validate({
      params: z.object({ id: z.uuid() }),
      query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
      body: z.object({ visitor: z.object({ name: z.string().min(1) }), count: z.number().int().max(5) }),
    }),
    (req, res) => {
      res.json({ params: req.params, query: req.query, body: req.body });
    },
  );
  app.use(errorHandler(pino({ level: 'silent' })));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const id = '7d3f8a2e-5b1c-4e8f-9a6d-2c4b8e1f0a93';
const send = (path: string, body: unknown) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

it('passes parsed values through', async () => {
  const res = await send(`/things/${id}?dryRun=true`, { visitor: { name: 'Ada' }, count: 2, extra: 1 });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    params: { id },
    query: { dryRun: 'true' },
    body: { visitor: { name: 'Ada' }, count: 2 },
  });
});

it('names the nested field that is wrong', async () => {
  const res = await send(`/things/${id}`, { visitor: { name: '' }, count: 2 });
  expect(res.status).toBe(400);
  const error = await errorOf(res);
  expect(error.code).toBe('invalid_input');
  expect(error.details?.field).toBe('visitor.name');
  expect(error.message).toMatch(/^visitor\.name: /);
});

it('checks params and query too', async () => {
  expect((await errorOf(await send('/things/not-a-uuid', { visitor: { name: 'a' }, count: 1 }))).details?.field).toBe(
    'id',
  );
  expect(
    (await errorOf(await send(`/things/${id}?dryRun=maybe`, { visitor: { name: 'a' }, count: 1 }))).details?.field,
  ).toBe('dryRun');
});

it('treats a JSON array or a scalar body as invalid input', async () => {
  for (const body of [[1, 2], 'text', null]) {
    const res = await send(`/things/${id}`, body);
    expect(res.status).toBe(400);
  }
});

it('refuses NUL and lone surrogates in any string, even where a schema forgot to, naming the field', async () => {
  for (const name of ['Ada\u0000', '\uD800']) {
    const res = await send(`/things/${id}`, { visitor: { name }, count: 1 });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect([error.code, error.details?.field]).toEqual(['invalid_input', 'visitor.name']);
  }
  const query = await send(`/things/${id}?dryRun=%00`, { visitor: { name: 'a' }, count: 1 });
  expect((await errorOf(query)).details?.field).toBe('dryRun');
});

it('refuses absurd nesting with a 400, not a stack overflow', async () => {
  const res = await fetch(`${url}/things/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: `{"visitor":{"name":"a"},"count":1,"extra":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
  });
  expect(res.status).toBe(400);
  expect((await errorOf(res)).message).toMatch(/nested too deeply/);
});
