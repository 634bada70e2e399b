import { randomUUID } from 'node:crypto';
import { errorBodySchema } from '@atrium/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import { startTestServer, type TestServer } from '../../test/http';
import type { TokenType } from '../auth/tokens';
import type { CreatedTenant } from '../tenancy/tenants';
import { insertUser } from '../tenancy/users';
import { recordVisit } from '../visits/manage';
import { qrTokenFor } from '../visits/qr-tokens';
import type { RouteDef } from './routes';

/**
 * The hostile-input tier: every route in the app's registry (a new route is covered without editing this file) gets a
 * corpus of hostile values in its path params, query string and body fields, sent with a real token of each type the
 * route accepts, so the corpus reaches validation and the handlers. Nothing may answer 5xx, every 4xx carries the error
 * shape, and the server still answers afterwards.
 */

let s: TestServer;
let tenant: CreatedTenant;
const tokens: Partial<Record<TokenType, string>> = {};
/** Real ids of this tenant, so a valid-looking path reaches the handler's database work. Never the caller's own. */
const realIds: Record<string, string> = {};
let qrToken = '';

const CONCURRENCY = 8;
const REQUEST_TIMEOUT_MS = 10_000;
const HUGE = 'x'.repeat(1024 * 1024);
const NEAR_LIMIT = 'x'.repeat(60_000);
const URL_HUGE = 'x'.repeat(8000);

beforeAll(async () => {
  s = await startTestServer();
  tenant = await seedTenant(s.db, 'hostile');
  const { ctx } = s;
  const { tenantId, siteId } = tenant;
  // The strongest role: a tenant admin who is never a target of the path ids below.
  const actorId = await s.db.withTenant(tenantId, (tx) =>
    insertUser(tx, tenantId, {
      email: `hostile-admin-${randomUUID()}@example.test`,
      name: 'Hostile admin',
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$cGxhY2Vob2xkZXJwbGFjZWhvbGRlcnBsYWNlaG9sZA',
      roles: [{ role: 'tenant_admin', siteId: null }],
    }),
  );
  tokens.user = await ctx.tokens.signAccessToken({
    userId: actorId,
    tenantId,
    roles: [{ role: 'tenant_admin', siteId: null }],
  });
  // Fetched outside the transaction: on PGlite the key ring's own queries would wait behind it.
  const signer = await ctx.keys.qrSigningKey(tenantId);
  await s.db.withTenant(tenantId, async (tx) => {
    const kiosk = await tx.selectFrom('kiosks').select('id').limit(1).executeTakeFirstOrThrow();
    const device = await ctx.tokens.signDeviceToken({ kioskId: kiosk.id, tenantId, siteId });
    await tx.updateTable('kiosks').set({ token_jti: device.jti }).where('id', '=', kiosk.id).execute();
    tokens.kiosk = device.token;
    const target = await tx
      .insertInto('kiosks')
      .values({
        tenant_id: tenantId,
        site_id: siteId,
        name: 'Target kiosk',
        paired_by: actorId,
        token_jti: randomUUID(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    realIds.kiosk = target.id;
    realIds.agent = (await tx.selectFrom('agents').select('id').limit(1).executeTakeFirstOrThrow()).id;
    realIds.visitor = (await tx.selectFrom('visitors').select('id').limit(1).executeTakeFirstOrThrow()).id;
    const victim = await insertUser(tx, tenantId, {
      email: `hostile-target-${randomUUID()}@example.test`,
      name: 'Target user',
      passwordHash: 'unused',
      roles: [{ role: 'member', siteId }],
    });
    realIds.user = victim;
    const visit = await recordVisit(
      tx,
      ctx.now(),
      { type: 'system', id: null, ip: null },
      {
        siteId,
        visitor: { name: 'Grace Hopper' },
        expectedArrival: new Date(Date.now() - 60_000).toISOString(),
        expectedDeparture: new Date(Date.now() + 3600_000).toISOString(),
        hostUserId: actorId,
      },
    );
    realIds.visit = visit.id;
    qrToken = (await qrTokenFor(tx, signer, visit.id))!;
  });
  realIds.site = siteId;
  // Walk-ins reach their handler only when the site allows them.
  await s.db.withTenant(tenantId, (tx) =>
    tx
      .updateTable('sites')
      // jsonb merge: the one setting over the stored ones.
      .set({ settings: sql`settings || '{"walkInsAllowed": true}'::jsonb` })
      .where('id', '=', siteId)
      .execute(),
  );
});
afterAll(() => s?.stop());

// ---------------------------------------------------------------------------------------------------------------
// The corpus.

const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** Values for a body field (as JSON values). */
const FIELD_VALUES: Array<[string, unknown]> = [
  ['NUL', '\u0000'],
  ['embedded NUL', 'Ada\u0000Lovelace'],
  ['C0 control', 'Ada\u0007\u001b[31m'],
  ['lone high surrogate', '\uD800'],
  ['lone low surrogate', 'a\uDC00b'],
  ['valid emoji', 'Ada 👩‍💻'],
  ['empty', ''],
  ['whitespace', ' \t\r\n '],
  ['60 kB string', NEAR_LIMIT],
  ['year 0', '0000-01-01T00:00:00Z'],
  ['year 10000', '10000-01-01T00:00:00Z'],
  ['expanded year +010000', '+010000-01-01T00:00:00Z'],
  ['negative year', '-000001-01-01T00:00:00Z'],
  ['year 9999 end', '9999-12-31T23:59:59.999Z'],
  ['year 1 start', '0001-01-01T00:00:00+14:00'],
  ['not a date', '2026-02-30T25:61:61Z'],
  ['zero', 0],
  ['minus one', -1],
  ['1.5', 1.5],
  ['1e308', 1e308],
  ['2^63', 2 ** 63],
  ['2^53+1 text', '9007199254740993'],
  ['huge numeric string', '1e308'],
  ['true', true],
  ['null', null],
  ['array', []],
  ['object', {}],
  ['proto object', JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}')],
  ['uuid nil', '00000000-0000-0000-0000-000000000000'],
  ['sql', "' OR 1=1 --"],
];

const JSON_TYPE = { 'content-type': 'application/json' };
const malformed = { status: 400, code: 'malformed_json' };
const notJson = { status: 415, code: 'unsupported_media_type' };
const badEncoding = { status: 415, code: 'unsupported_encoding' };

/** Raw bodies that replace the whole request body: name, headers, bytes, and the answer every route must give. */
const RAW_BODIES: Array<[string, Record<string, string>, string | Uint8Array, Expected?]> = [
  ['malformed JSON', JSON_TYPE, '{"email": "a@b.c", ', malformed],
  ['JSON null', JSON_TYPE, 'null', malformed],
  ['JSON array', JSON_TYPE, '[]'],
  ['JSON string', JSON_TYPE, '"hello"', malformed],
  ['JSON number', JSON_TYPE, '1e308', malformed],
  ['10k-deep arrays', JSON_TYPE, deep(10_000)],
  ['10k-deep objects', JSON_TYPE, deepObject(10_000)],
  ['30k-deep arrays', JSON_TYPE, deep(30_000)],
  ['proto pollution', JSON_TYPE, '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}}}'],
  ['1 MB body', JSON_TYPE, JSON.stringify({ name: HUGE, email: HUGE }), { status: 413, code: 'payload_too_large' }],
  ['text/plain', { 'content-type': 'text/plain' }, '{"email":"a@b.c"}', notJson],
  ['no content type', {}, new TextEncoder().encode('{"email":"a@b.c"}'), notJson],
  ['form encoded', { 'content-type': 'application/x-www-form-urlencoded' }, 'email=a%00&password=x', notJson],
  ['UTF-16 charset', { 'content-type': 'application/json; charset=utf-16' }, '{}'],
  ['unknown charset', { 'content-type': 'application/json; charset=klingon' }, '{}', badEncoding],
  ['gzip garbage', { ...JSON_TYPE, 'content-encoding': 'gzip' }, 'not gzip at all'],
  ['unknown encoding', { ...JSON_TYPE, 'content-encoding': 'zstd-ish' }, '{}', badEncoding],
  [
    'invalid UTF-8',
    JSON_TYPE,
    new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0xff, 0x22, 0x7d]),
  ],
  // A literal NUL inside a JSON string is not JSON (control characters must be escaped).
  ['raw NUL in JSON text', JSON_TYPE, '{"email":"\u0000"}', malformed],
];

/** Values for path params and query params (already URL-encoded). */
const URL_VALUES: Array<[string, string]> = [
  ['NUL', '%00'],
  ['embedded NUL', 'a%00b'],
  ['lone surrogate as CESU bytes', '%ED%A0%80'],
  ['invalid percent', '%E0%A4%A'],
  ['bare percent', '%'],
  ['8 kB string', URL_HUGE],
  ['non-uuid', 'not-a-uuid'],
  ['uuid nil', '00000000-0000-0000-0000-000000000000'],
  ['random uuid', randomUUID()],
  ['uppercase uuid', randomUUID().toUpperCase()],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['year 0', '0000-01-01T00%3A00%3A00Z'],
  ['year 10000', '10000-01-01T00%3A00%3A00Z'],
  ['minus one', '-1'],
  ['1e308', '1e308'],
  ['2^63', '9223372036854775808'],
  ['NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['empty', ''],
  ['dot dot', '..%2F..%2Fetc%2Fpasswd'],
];

// ---------------------------------------------------------------------------------------------------------------
// Deriving fields and a plausible baseline from a route's zod schemas.

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
};

const toJson = (schema: z.ZodType | undefined): JsonSchema | undefined => {
  if (!schema) return undefined;
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return undefined;
  }
};

const idFor = (name: string) => {
  const key = Object.keys(realIds).find((k) => name.toLowerCase().startsWith(k));
  if (key) return realIds[key]!;
  if (/host|actor|target/i.test(name)) return realIds.user!;
  return randomUUID();
};

/** A value that passes the schema as far as JSON Schema can tell, so mutating one field reaches the next checks. */
function sample(schema: JsonSchema, name: string): unknown {
  const variant = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (variant) return sample(variant, name);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, sample(v, k)]));
    case 'array':
      return schema.items ? [sample(schema.items, name)] : [];
    case 'integer':
    case 'number':
      // The roomiest allowed value, so a baseline settings change never makes other probes fail for a tight limit.
      return schema.maximum !== undefined && schema.maximum < 1e6 ? schema.maximum : Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'string': {
      if (schema.format === 'uuid') return /idempotency/i.test(name) ? randomUUID() : idFor(name);
      if (schema.format === 'date-time') {
        const offset = /departure|until|to$/i.test(name) ? 3 * 3600_000 : /arrival|from/i.test(name) ? 600_000 : 0;
        return new Date(Date.now() + offset).toISOString();
      }
      // Digit codes (pairing codes, staff PINs): as many digits as the pattern asks for at least.
      const digits = schema.pattern?.match(/^\^\\d\{(\d+)/);
      if (digits) return '123456789'.slice(0, Number(digits[1]));
      if (/email/i.test(name)) return `hostile-${randomUUID()}@example.test`;
      if (/password/i.test(name)) return 'a perfectly fine passphrase';
      if (/timezone/i.test(name)) return 'Europe/Berlin';
      if (name === 'token') return qrToken;
      return 'Ada'.padEnd(schema.minLength ?? 1, 'a');
    }
    default:
      return 'Ada';
  }
}

/** Every leaf and object field in a JSON schema with its dotted path (arrays descend into their first item). */
function fieldPaths(
  schema: JsonSchema | undefined,
  prefix: string[] = [],
): Array<{ path: string[]; schema: JsonSchema }> {
  if (!schema) return [];
  const variant = schema.anyOf?.find((v) => v.type === 'object' || v.type === 'array') ?? schema;
  if (variant.type === 'object' && variant.properties) {
    return Object.entries(variant.properties).flatMap(([k, v]) => [
      { path: [...prefix, k], schema: v },
      ...fieldPaths(v, [...prefix, k]),
    ]);
  }
  if (variant.type === 'array' && variant.items) return fieldPaths(variant.items, [...prefix, '0']);
  return [];
}

const isDateTime = (schema: JsonSchema) => [schema, ...(schema.anyOf ?? [])].some((v) => v.format === 'date-time');

/** Values every declared field must refuse with 400 `invalid_input` naming it (dates only in date-time fields). */
const MUST_REFUSE = new Set(['NUL', 'embedded NUL', 'C0 control', 'lone high surrogate', 'lone low surrogate']);
const MUST_REFUSE_AS_DATE = new Set(['year 0', 'year 10000', 'expanded year +010000', 'negative year']);
const MUST_REFUSE_IN_URL = new Set(['NUL', 'embedded NUL']);
/** Path segments that cannot be percent-decoded: refused before any route, as `path`. */
const UNDECODABLE = new Set(['lone surrogate as CESU bytes', 'invalid percent', 'bare percent']);

function withField(base: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = /^\d+$/.test(key) ? [] : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
  return copy;
}

/** Field names tried on routes without a body schema (and a stray one on routes with one). */
const GENERIC_FIELDS = ['name', 'siteId', 'occurredAt'];
const GENERIC_QUERY = ['q', 'limit', 'from', 'id'];
/** Query strings for routes that take no query: they must be ignored or refused, never crash. */
const STRAY_QUERIES = [
  'q=%00',
  'limit=1e308&limit=-1',
  'from=10000-01-01T00%3A00%3A00Z',
  '__proto__[x]=1',
  `q=${URL_HUGE}`,
];

// ---------------------------------------------------------------------------------------------------------------
// Sending.

interface Probe {
  route: RouteDef;
  what: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** The answer this probe must get, where the corpus value is one no route may let through. */
  expected?: Expected;
}

interface Expected {
  status: number;
  code: string;
  /** The field a 400 `invalid_input` must name. */
  field?: string;
}

const refusal = (field: string | undefined): Expected | undefined =>
  field === undefined ? undefined : { status: 400, code: 'invalid_input', field };

function probesFor(def: RouteDef): Probe[] {
  const method = def.method.toUpperCase();
  const hasBody = def.method !== 'get';
  const creds: Array<[string, string | undefined]> =
    'public' in def.auth ? [['anonymous', undefined]] : def.auth.tokens.map((type) => [type, tokens[type]]);
  const params = [...def.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const paramsJson = toJson(def.schemas?.params);
  const validParam = (name: string) => {
    const allowed = paramsJson?.properties?.[name]?.enum;
    // `/visits/:id` names a visit, `/kiosks/:id` a kiosk: the segment before the id says which real row to use.
    return String(allowed ? allowed[0] : idFor(name === 'id' ? def.path.split('/')[1]! : name));
  };
  const validPath = (override?: [string, string]) =>
    def.path.replace(/:(\w+)/g, (_, name: string) =>
      override && override[0] === name ? override[1] : encodeURIComponent(validParam(name)),
    );
  const bodyJson = toJson(def.schemas?.body);
  const baseBody = bodyJson ? sample(bodyJson, 'body') : {};
  const queryJson = toJson(def.schemas?.query);
  const baseQuery = queryJson ? (sample(queryJson, 'query') as Record<string, unknown>) : {};
  const out: Probe[] = [];
  for (const [credName, token] of creds) {
    const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const json = { ...auth, 'content-type': 'application/json' };
    const send = (
      what: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = json,
      expected?: Expected,
    ) =>
      out.push({
        route: def,
        what: `${credName}: ${what}`,
        method,
        path,
        headers,
        ...(hasBody ? { body: body === undefined ? JSON.stringify(baseBody) : (body as string | Uint8Array) } : {}),
        ...(expected ? { expected } : {}),
      });

    send('baseline', validPath());
    for (const name of params) {
      for (const [label, value] of URL_VALUES) {
        const refused = UNDECODABLE.has(label)
          ? 'path'
          : paramsJson && MUST_REFUSE_IN_URL.has(label)
            ? name
            : undefined;
        send(`path :${name} = ${label}`, validPath([name, value]), undefined, json, refusal(refused));
      }
    }
    if (!queryJson)
      for (const query of STRAY_QUERIES) send(`stray query ${query.slice(0, 30)}`, `${validPath()}?${query}`);
    const declaredQuery = new Set(fieldPaths(queryJson).map((field) => field.path[0]!));
    const queryKeys = queryJson ? [...new Set([...declaredQuery, ...GENERIC_QUERY])] : [];
    const baseQueryString = new URLSearchParams(
      Object.entries(baseQuery).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
    for (const key of queryKeys) {
      for (const [label, value] of URL_VALUES) {
        const others = baseQueryString
          .split('&')
          .filter((pair) => pair && !pair.startsWith(`${key}=`))
          .join('&');
        const refused = declaredQuery.has(key) && MUST_REFUSE_IN_URL.has(label) ? key : undefined;
        send(
          `query ${key} = ${label}`,
          `${validPath()}?${others}${others ? '&' : ''}${key}=${value}`,
          undefined,
          json,
          refusal(refused),
        );
      }
      send(`query ${key} repeated`, `${validPath()}?${key}=1&${key}=2`);
      send(`query ${key}[] bracket`, `${validPath()}?${key}[a]=1`);
    }
    if (!hasBody) continue;
    const fields: Array<{ path: string[]; schema?: JsonSchema }> = bodyJson
      ? [...fieldPaths(bodyJson), { path: ['unexpected'] }]
      : GENERIC_FIELDS.map((f) => ({ path: [f] }));
    const paths = fields.map((field) => field.path);
    const seen = new Set<string>();
    for (const { path: fieldPath, schema } of fields) {
      const key = fieldPath.join('.');
      if (seen.has(key)) continue;
      seen.add(key);
      for (const [label, value] of FIELD_VALUES) {
        const refused =
          schema && (MUST_REFUSE.has(label) || (MUST_REFUSE_AS_DATE.has(label) && isDateTime(schema)))
            ? key
            : undefined;
        send(
          `body ${key} = ${label}`,
          validPath(),
          JSON.stringify(withField(baseBody, fieldPath, value)),
          json,
          refusal(refused),
        );
      }
      send(
        `body ${key} = 10k-deep array`,
        validPath(),
        JSON.stringify(withField(baseBody, fieldPath, 0)).replace('0', deep(10_000)),
      );
    }
    // One 1 MB string per route (more would only test the same body limit again).
    send('body with a 1 MB field', validPath(), JSON.stringify(withField(baseBody, paths[0] ?? ['name'], HUGE)));
    for (const [label, headers, raw, expected] of RAW_BODIES) {
      send(`raw body: ${label}`, validPath(), raw, { ...auth, ...headers }, expected);
    }
  }
  return out;
}

interface Outcome {
  probe: Probe;
  status: number;
  problem?: string;
}

async function fire(probe: Probe): Promise<Outcome> {
  const res = await fetch(`${s.url}/api/v1${probe.path}`, {
    method: probe.method,
    headers: probe.headers,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    ...(probe.body !== undefined ? { body: probe.body } : {}),
  });
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('text/event-stream')) {
    await res.body?.cancel();
    return { probe, status: res.status };
  }
  const text = await res.text();
  if (res.status >= 500) return { probe, status: res.status, problem: text.slice(0, 200) };
  const { expected } = probe;
  if (expected) {
    let error: { code?: string; details?: { field?: string } } | undefined;
    try {
      error = (JSON.parse(text) as { error?: typeof error }).error;
    } catch {}
    if (
      res.status !== expected.status ||
      error?.code !== expected.code ||
      (expected.field !== undefined && error.details?.field !== expected.field)
    ) {
      const want = `${expected.status} ${expected.code}${expected.field ? ` naming ${expected.field}` : ''}`;
      return { probe, status: res.status, problem: `expected ${want}: ${text.slice(0, 160)}` };
    }
  }
  if (res.status >= 400) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { probe, status: res.status, problem: `not JSON: ${text.slice(0, 100)}` };
    }
    if (!type.includes('application/json') || !errorBodySchema.safeParse(parsed).success) {
      return { probe, status: res.status, problem: `not the error shape: ${text.slice(0, 100)}` };
    }
  }
  return { probe, status: res.status };
}

async function runBounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

describe(`hostile input to every route on ${testBackend()}`, () => {
  it('never answers 5xx, always with the error shape, and the server stays up', { timeout: 180_000 }, async () => {
    const routes = s.app.locals.routes as RouteDef[];
    expect(routes.length).toBeGreaterThanOrEqual(30);
    // Destructive calls (revoke, erase, cancel) last, so the rest still find their targets alive.
    const probes = [
      ...routes.filter((r) => r.method !== 'delete'),
      ...routes.filter((r) => r.method === 'delete'),
    ].flatMap(probesFor);
    const started = Date.now();
    const outcomes = await runBounded(probes, CONCURRENCY, (probe) =>
      fire(probe).catch((error: Error) => ({ probe, status: 0, problem: `no answer: ${error.message}` })),
    );
    const problems = outcomes
      .filter((o) => o.problem)
      .map((o) => `${o.status} ${o.probe.method} ${o.probe.route.path} [${o.probe.what}] ${o.problem}`);
    const fivexx = outcomes.filter((o) => o.status >= 500).length;
    const named = outcomes.filter((o) => o.probe.expected !== undefined).length;
    console.info(
      `hostile tier on ${testBackend()}: ${outcomes.length} requests to ${routes.length} routes in ${Date.now() - started} ms, ${fivexx} answered 5xx, ${named} had to get a specific 4xx (400 naming the field, 413, 415), ${problems.length} problems`,
    );
    if (problems.length > 0) console.info(problems.slice(0, 200).join('\n'));

    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    // The server runs in this process: `__proto__` and `constructor` keys polluted nothing.
    const plain: Record<string, unknown> = {};
    expect([plain.polluted, plain.isAdmin]).toEqual([undefined, undefined]);
    expect(outcomes.length).toBeGreaterThan(5000);
    expect(named).toBeGreaterThan(400);
    // Some requests must get through validation, or the corpus only ever tested the schemas.
    expect(outcomes.filter((o) => o.status >= 200 && o.status < 300).length).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });
});
