import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import { startTestServer, type TestServer } from '../../test/http';
import type { CreatedTenant } from '../tenancy/tenants';
import { buildOpenApiDocument, openApiPath } from './openapi';
import type { RouteDef } from './routes';

type Json = Record<string, unknown>;
type Schema = Json & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  additionalProperties?: boolean | Schema;
};
type Operation = {
  security: unknown[];
  'x-atrium-auth': Json;
  parameters: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { content: { 'application/json': { schema: Schema } } };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: Schema }> }>;
};

let s: TestServer;
let tenant: CreatedTenant;
let doc: Json & { paths: Record<string, Record<string, Operation>> };
const routes = () => s.app.locals.routes as RouteDef[];

beforeAll(async () => {
  s = await startTestServer();
  tenant = await seedTenant(s.db, 'openapi');
  doc = (await (await fetch(`${s.url}/api/v1/openapi.json`)).json()) as typeof doc;
});
afterAll(() => s?.stop());

/** Follows a local JSON pointer (`#/components/schemas/X`); undefined when it leads nowhere. */
function pointer(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(pointer(schema.$ref) as Schema) : schema);

/** Every route in the registry that the document does not describe fully. */
function missingFromDocument(document: typeof doc, defs: readonly RouteDef[]): string[] {
  const problems: string[] = [];
  for (const def of defs) {
    const name = `${def.method.toUpperCase()} ${def.path}`;
    const operation = document.paths[openApiPath(def.path)]?.[def.method];
    if (!operation) {
      problems.push(`${name}: not in the document`);
      continue;
    }
    if (!def.response) {
      problems.push(`${name}: declares no response`);
      continue;
    }
    const success = operation.responses[String(def.response.status)];
    const json = def.response.status !== 204 && def.response.status !== 302 && !def.response.contentType;
    if (!success) problems.push(`${name}: no ${def.response.status} response`);
    else if (json && !success.content?.['application/json']?.schema) problems.push(`${name}: no response schema`);
    if (Boolean(def.schemas?.body) !== Boolean(operation.requestBody)) problems.push(`${name}: request body`);
    const pathParams = [...def.path.matchAll(/:(\w+)/g)].map((match) => match[1]);
    const declared = operation.parameters.filter((p) => p.in === 'path' && p.required).map((p) => p.name);
    if (pathParams.sort().join() !== declared.sort().join()) problems.push(`${name}: path parameters ${declared}`);
    if (JSON.stringify(operation['x-atrium-auth']) !== JSON.stringify(def.auth)) problems.push(`${name}: auth`);
    if ('public' in def.auth ? operation.security.length !== 0 : operation.security.length === 0) {
      problems.push(`${name}: security`);
    }
  }
  return problems;
}

describe(`GET /api/v1/openapi.json on ${testBackend()}`, () => {
  it('is public, cacheable JSON', async () => {
    const res = await fetch(`${s.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('describes every route of the registry: method, path, auth, parameters, body and response schema', () => {
    expect(routes().length).toBeGreaterThanOrEqual(40);
    expect(missingFromDocument(doc, routes())).toEqual([]);
  });

  it('notices a route registered without a response schema, or missing from the document', () => {
    const bare = { method: 'get', path: '/bare/:id', auth: { public: true }, handler: () => {} } as RouteDef;
    const withoutSchema = { ...bare, path: '/no-schema', response: { status: 200 as const } };
    const defs = [...routes(), bare, withoutSchema];
    expect(missingFromDocument(buildOpenApiDocument(defs) as typeof doc, defs)).toEqual([
      'GET /bare/:id: declares no response',
      'GET /no-schema: no response schema',
    ]);
    expect(missingFromDocument(doc, defs)).toContain('GET /bare/:id: not in the document');
  });

  it('is a structurally valid OpenAPI 3.1 document whose every $ref resolves', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const components = doc.components as Json;
    expect(Object.keys(components.schemas as Json).length).toBeGreaterThan(10);
    expect(components.securitySchemes).toMatchObject({ bearer: { type: 'http', scheme: 'bearer' } });
    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\/api\/v1\/[^:]*$/);
      for (const [method, operation] of Object.entries(item)) {
        expect(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']).toContain(method);
        const id = (operation as Json).operationId as string;
        expect(operationIds.has(id), id).toBe(false);
        operationIds.add(id);
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(status).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
          expect(response.$ref ?? (response as Json).description).toBeTruthy();
        }
        for (const name of path.match(/\{(\w+)\}/g) ?? []) {
          expect(operation.parameters.some((p) => `{${p.name}}` === name && p.in === 'path')).toBe(true);
        }
      }
    }
    const refs: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref') refs.push(value as string);
          else walk(value);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(50);
    expect(refs.filter((ref) => pointer(ref) === undefined)).toEqual([]);
    const error = resolve({ $ref: '#/components/schemas/Error' });
    expect(error.required).toEqual(['error']);
    expect(Object.keys(error.properties!.error!.properties!)).toEqual(['code', 'message', 'details']);
  });
});

/** Field paths a schema offers (`visitor.name`, `items[]`), across every variant of a union. */
function fields(schema: Schema, prefix = ''): string[] {
  const s = resolve(schema);
  const variants = [...(s.anyOf ?? []), ...(s.oneOf ?? [])];
  if (variants.length > 0) return variants.flatMap((variant) => fields(variant, prefix));
  if (s.type === 'array' && s.items) return [`${prefix}[]`, ...fields(s.items, `${prefix}[].`)];
  return Object.entries(s.properties ?? {}).flatMap(([key, value]) => [
    `${prefix}${key}`,
    ...fields(value, `${prefix}${key}.`),
  ]);
}

/** DESIGN §7.1, row by row: the document says what the fixed contract says. */
const CONTRACT: Array<{
  call: string;
  auth: Json;
  body?: string[];
  success: Record<string, string[]>;
}> = [
  {
    call: 'POST /api/v1/auth/login',
    auth: { public: true },
    body: ['email', 'password'],
    success: {
      200: ['accessToken', 'refreshToken', 'expiresIn', 'user.id', 'user.email', 'user.name', 'user.roles'],
    },
  },
  { call: 'POST /api/v1/auth/login', auth: { public: true }, success: { 200: ['mfaRequired', 'mfaToken'] } },
  {
    call: 'POST /api/v1/auth/refresh',
    auth: { public: true },
    body: ['refreshToken'],
    success: { 200: ['accessToken', 'refreshToken', 'expiresIn', 'user.id'] },
  },
  {
    call: 'GET /api/v1/sites',
    auth: { tokens: ['user'] },
    success: { 200: ['[].id', '[].name', '[].timezone', '[].wifiSsid'] },
  },
  {
    call: 'POST /api/v1/visits',
    auth: { tokens: ['user'] },
    body: [
      'siteId',
      'visitor.name',
      'visitor.email',
      'visitor.company',
      'expectedArrival',
      'expectedDeparture',
      'hostUserId',
    ],
    success: { 201: ['id', 'status', 'qrToken'] },
  },
  {
    call: 'GET /api/v1/visits/{id}',
    auth: { tokens: ['user'] },
    success: {
      200: [
        'id',
        'status',
        'siteId',
        'visitorId',
        'visitor.id',
        'visitor.name',
        'expectedArrival',
        'expectedDeparture',
      ],
    },
  },
  { call: 'GET /api/v1/visits/{id}/qr', auth: { tokens: ['user'] }, success: { 200: [] } },
  {
    call: 'POST /api/v1/kiosk/pairing',
    auth: { public: true },
    success: { 201: ['code', 'deviceCode', 'expiresIn', 'interval'] },
  },
  {
    call: 'POST /api/v1/kiosk/pairing/token',
    auth: { public: true },
    body: ['deviceCode'],
    success: {
      202: ['status'],
      200: ['status', 'deviceToken', 'kiosk.id', 'kiosk.name', 'kiosk.siteId'],
    },
  },
  {
    call: 'POST /api/v1/kiosks/pair',
    auth: { tokens: ['user'], roles: ['tenant_admin', 'site_admin', 'receptionist'] },
    body: ['code', 'siteId', 'name'],
    success: { 201: ['kiosk.id', 'kiosk.name', 'kiosk.siteId'] },
  },
  {
    call: 'GET /api/v1/kiosk/config',
    auth: { tokens: ['kiosk'] },
    success: { 200: ['site', 'jwks.keys', 'serverTime', 'revokedJtis', 'keyMaxAgeSeconds'] },
  },
  {
    call: 'POST /api/v1/kiosk/check-ins',
    auth: { tokens: ['kiosk'] },
    body: ['token', 'idempotencyKey', 'occurredAt'],
    success: {
      201: ['visitId', 'displayName', 'voucher.username', 'voucher.password', 'voucher.ssid', 'voucher.validUntil'],
      200: ['visitId', 'displayName', 'voucher.username'],
    },
  },
  {
    call: 'POST /api/v1/kiosk/check-outs',
    auth: { tokens: ['kiosk'] },
    body: ['token', 'idempotencyKey', 'occurredAt'],
    success: { 200: ['visitId', 'status'] },
  },
  {
    call: 'GET /api/v1/sites/{id}/on-site',
    auth: { tokens: ['user'], roles: ['tenant_admin', 'site_admin', 'receptionist'] },
    success: { 200: ['[].visitId', '[].visitorId', '[].name', '[].hostName', '[].checkedInAt', '[].offline'] },
  },
  { call: 'POST /api/v1/visits/{id}/check-out', auth: { tokens: ['user'] }, success: { 200: ['id', 'status'] } },
  {
    call: 'POST /api/v1/agents',
    auth: { tokens: ['user'], roles: ['tenant_admin', 'site_admin'] },
    body: ['siteId', 'name'],
    success: {
      201: [
        'agent.id',
        'agent.siteId',
        'agent.name',
        'bundle.cert',
        'bundle.key',
        'bundle.ca',
        'env.ATRIUM_SERVER_URL',
        'env.ATRIUM_TENANT_ID',
        'env.ATRIUM_SITE_ID',
      ],
    },
  },
  {
    call: 'GET /api/v1/agents',
    auth: { tokens: ['user'], roles: ['tenant_admin', 'site_admin'] },
    success: { 200: ['[].id', '[].siteId', '[].name', '[].connected', '[].lastStatus'] },
  },
];

describe('the fixed contract (DESIGN §7.1) in the document', () => {
  it.each(CONTRACT)('$call', ({ call, auth, body, success }) => {
    const [method, path] = call.split(' ') as [string, string];
    const operation = doc.paths[path]?.[method.toLowerCase()];
    expect(operation, call).toBeDefined();
    expect(operation!['x-atrium-auth']).toEqual(auth);
    if (body)
      expect(fields(operation!.requestBody!.content['application/json'].schema)).toEqual(expect.arrayContaining(body));
    for (const [status, expected] of Object.entries(success)) {
      const response = operation!.responses[status];
      expect(response, `${call} ${status}`).toBeDefined();
      const schema = response!.content?.['application/json']?.schema;
      if (expected.length > 0) expect(fields(schema!)).toEqual(expect.arrayContaining(expected));
    }
  });

  it('the QR code comes as SVG or PNG', () => {
    const operation = doc.paths['/api/v1/visits/{id}/qr']!.get!;
    expect(Object.keys(operation.responses['200']!.content!)).toEqual(['image/svg+xml', 'image/png']);
    expect(operation.parameters.find((p) => p.name === 'format')).toMatchObject({ in: 'query', required: false });
  });
});

/**
 * Whether a value has exactly the fields its (output) schema names: none missing, none extra. The response schemas
 * say `additionalProperties: false`, so a field the server starts sending without the protocol knowing shows up here.
 */
function conforms(value: unknown, schema: Schema, at = '$'): string[] {
  const s = resolve(schema);
  const variants = [...(s.anyOf ?? []), ...(s.oneOf ?? [])];
  if (variants.length > 0) {
    const results = variants.map((variant) => conforms(value, variant, at));
    return results.find((problems) => problems.length === 0) ?? results[0]!;
  }
  const types = s.type === undefined ? undefined : ([] as string[]).concat(s.type);
  if (value === null) return !types || types.includes('null') ? [] : [`${at}: null`];
  if (types?.includes('array')) {
    if (!Array.isArray(value)) return [`${at}: not an array`];
    return value.flatMap((item, index) => conforms(item, s.items ?? {}, `${at}[${index}]`));
  }
  if (types?.includes('object')) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
    const problems = (s.required ?? []).filter((key) => !(key in value)).map((key) => `${at}.${key}: missing`);
    for (const [key, child] of Object.entries(value)) {
      const property = s.properties?.[key];
      if (property) problems.push(...conforms(child, property, `${at}.${key}`));
      else if (s.additionalProperties === false) problems.push(`${at}.${key}: not in the schema`);
    }
    return problems;
  }
  const actual = typeof value === 'number' && Number.isInteger(value) ? ['number', 'integer'] : [typeof value];
  if (types && !types.some((type) => actual.includes(type))) return [`${at}: ${typeof value}, expected ${types}`];
  return [];
}

describe(`what the server sends is what the document says on ${testBackend()}`, () => {
  it('the GET answers a tenant admin reads match their response schemas field for field', async () => {
    const token = await s.ctx.tokens.signAccessToken({
      userId: tenant.adminUserId,
      tenantId: tenant.tenantId,
      roles: [{ role: 'tenant_admin', siteId: null }],
    });
    const visit = await s.db.withTenant(tenant.tenantId, (tx) =>
      tx.selectFrom('visits').select(['id', 'visitor_id']).limit(1).executeTakeFirstOrThrow(),
    );
    // The fields that only some rows carry are sent too: a paired kiosk's heartbeat, an agent's last status and its
    // renewed (pending) certificate.
    const kiosk = await s.db.withTenant(tenant.tenantId, (tx) =>
      tx.selectFrom('kiosks').select('id').limit(1).executeTakeFirstOrThrow(),
    );
    const device = await s.ctx.tokens.signDeviceToken({
      kioskId: kiosk.id,
      tenantId: tenant.tenantId,
      siteId: tenant.siteId,
    });
    await s.db.withTenant(tenant.tenantId, (tx) =>
      tx.updateTable('kiosks').set({ token_jti: device.jti }).where('id', '=', kiosk.id).execute(),
    );
    const heartbeat = await fetch(`${s.url}/api/v1/kiosk/heartbeat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${device.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ appVersion: '0.1.0', outboxDepth: 1, lastSyncAt: new Date().toISOString(), online: true }),
    });
    expect(heartbeat.status).toBe(204);
    const agent = await s.db.withTenant(tenant.tenantId, (tx) =>
      tx
        .updateTable('agents')
        .set({
          last_status: JSON.stringify({
            agentVersion: '0.2.0',
            uptimeSeconds: 60,
            activeSessions: 1,
            vouchers: 2,
            radius: { requests: 3, accepts: 2, rejects: 1, duplicates: 0, malformed: 0, dropped: 0, accounting: 4 },
            buffer: { length: 0, dropped: 0 },
            rssBytes: 50_000_000,
            cpuSeconds: 1.5,
          }),
        })
        .where('id', '=', (eb) => eb.selectFrom('agents').select('id').limit(1))
        .returning('id')
        .executeTakeFirstOrThrow(),
    );
    const renewed = await fetch(`${s.url}/api/v1/agents/${agent.id}/certificate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(renewed.status).toBe(201);
    const renewal = doc.paths['/api/v1/agents/{id}/certificate']!.post!.responses['201']!.content!['application/json']!;
    const problems = conforms(await renewed.json(), renewal.schema!, 'POST /agents/{id}/certificate');
    const paths = [
      '/me',
      '/users',
      '/sites',
      '/settings',
      '/audit',
      '/visits',
      `/visits/${visit.id}`,
      `/sites/${tenant.siteId}/on-site`,
      '/kiosks',
      '/agents',
      '/keys',
      '/privacy/inventory',
      `/visitors/${visit.visitor_id}/export`,
    ];
    for (const path of paths) {
      const res = await fetch(`${s.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, path).toBe(200);
      const template = path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '{id}');
      const schema = doc.paths[`/api/v1${template}`]!.get!.responses['200']!.content!['application/json']!.schema!;
      const body: unknown = await res.json();
      problems.push(...conforms(body, schema, path));
      const first = Array.isArray(body) ? (body[0] as Record<string, unknown> | undefined) : undefined;
      if (path === '/kiosks') expect(first?.status, 'a kiosk with a heartbeat').toBeTruthy();
      if (path === '/agents') expect(first?.pendingCertificateExpires, 'a renewed agent').toBeTruthy();
    }
    expect(problems).toEqual([]);
  });
});
