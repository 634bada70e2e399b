import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { id, queryInt, text } from '@atrium/protocol';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { AppContext } from '../context';
import { errorHandler } from './errors';
import { mountRoutes, type RouteDef, route } from './routes';

let server: http.Server;
let url: string;
const registry: RouteDef[] = [];

const things = route({
  method: 'post',
  path: '/things/:id',
  auth: { public: true },
  schemas: {
    params: z.object({ id: id('a thing id') }),
    query: z.object({ limit: queryInt({ min: 1, max: 10 }).default(5) }),
    body: z.object({ name: text({ max: 20 }) }),
  },
  response: { status: 200, schema: z.object({ id: z.uuid(), limit: z.number(), name: z.string() }) },
  handler(_req, res, { params, query, body }) {
    expectTypeOf(params).toEqualTypeOf<{ id: string }>();
    // The schema's output type: a number from the query string, the default filled in.
    expectTypeOf(query).toEqualTypeOf<{ limit: number }>();
    expectTypeOf(body).toEqualTypeOf<{ name: string }>();
    res.json({ id: params.id, limit: query.limit, name: body.name, limitType: typeof query.limit });
  },
});

const bare = route({
  method: 'get',
  path: '/bare',
  auth: { public: true },
  response: { status: 200, schema: z.object({ body: z.unknown() }) },
  handler(_req, res, input) {
    // A part without a schema is not there to read.
    expectTypeOf(input).toEqualTypeOf<{ body: undefined; query: undefined; params: undefined }>();
    res.json({ body: input.body ?? null, query: input.query ?? null, params: input.params ?? null });
  },
});

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  const api = express.Router();
  // Public routes never touch the context.
  mountRoutes({} as AppContext, api, [things, bare], registry);
  app.use(api);
  app.use(errorHandler(pino({ level: 'silent' })));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('hands the handler the values its schemas parsed, typed by them', async () => {
  const thingId = '0b7c3c9e-6f7a-4c35-9d43-6d1b1e0f2a11';
  const res = await fetch(`${url}/things/${thingId}?limit=7`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: '  Ada  ' }),
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ id: thingId, limit: 7, name: 'Ada', limitType: 'number' });
  const defaulted = await fetch(`${url}/things/${thingId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Ada' }),
  });
  expect(await defaulted.json()).toMatchObject({ limit: 5 });
});

it('validates before the handler runs: a bad id is a 400 naming the field', async () => {
  const res = await fetch(`${url}/things/not-a-uuid`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Ada' }),
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/id/);
});

it('gives a route without schemas nothing unparsed, and registers every route', async () => {
  const res = await fetch(`${url}/bare?x=1`);
  expect(await res.json()).toEqual({ body: null, query: null, params: null });
  expect(registry.map((def) => `${def.method} ${def.path}`)).toEqual(['post /things/:id', 'get /bare']);
});
