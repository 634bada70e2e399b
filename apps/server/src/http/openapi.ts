import { errorBodySchema } from '@atrium/protocol';
import { z } from 'zod';
import { type RouteDef, route } from './routes';

/** Mounted under this prefix in app.ts; the document lists full paths so they read exactly as DESIGN §7.1. */
export const API_PREFIX = '/api/v1';

type JsonSchema = Record<string, unknown>;

/** `POST /visits/:id/check-in` → `PostVisitsIdCheckIn`: a stable, readable component name per route. */
function componentName(def: RouteDef): string {
  const words = `${def.method} ${def.path}`.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}

/** Swagger's `:id` → `{id}`. */
export const openApiPath = (expressPath: string) => API_PREFIX + expressPath.replace(/:(\w+)/g, '{$1}');

/**
 * Registers each schema once (a schema shared by several routes becomes one component) and converts them all in one
 * pass, so a schema nested in another is a `$ref` to its component.
 */
function componentSet(io: 'input' | 'output') {
  const registry = z.registry<{ id: string }>();
  const ids = new Map<z.ZodType, string>();
  return {
    ref(schema: z.ZodType, name: string): JsonSchema {
      let id = ids.get(schema);
      if (!id) {
        id = name;
        ids.set(schema, id);
        registry.add(schema, { id });
      }
      return { $ref: `#/components/schemas/${id}` };
    },
    convert(): Record<string, JsonSchema> {
      const { schemas } = z.toJSONSchema(registry, {
        io,
        unrepresentable: 'any',
        uri: (id) => `#/components/schemas/${id}`,
      }) as { schemas: Record<string, JsonSchema> };
      // Inside an OpenAPI document a component is a plain 2020-12 schema: no own dialect or fragment-only $id.
      for (const schema of Object.values(schemas)) {
        delete schema.$schema;
        delete schema.$id;
      }
      return schemas;
    },
  };
}

/** Path and query parameters, one per field of the (object) schema, as OpenAPI wants them. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

function authExtension(def: RouteDef) {
  if ('public' in def.auth) return { public: true };
  return {
    tokens: def.auth.tokens,
    ...(def.auth.roles ? { roles: def.auth.roles } : {}),
    ...(def.auth.duringPasswordChange ? { duringPasswordChange: true } : {}),
  };
}

const errorResponse = (description: string) => ({ description, $ref: '#/components/responses/Error' });

/** The OpenAPI 3.1 document of every route in the registry, generated from the same zod schemas that validate them. */
export function buildOpenApiDocument(routes: readonly RouteDef[]) {
  const requests = componentSet('input');
  const responses = componentSet('output');
  const paths: Record<string, Record<string, unknown>> = {};
  for (const def of routes) {
    const name = componentName(def);
    const schemas = def.schemas ?? {};
    const success: Record<string, unknown> = {};
    const answer = def.response;
    if (answer) {
      const content = answer.schema
        ? { 'application/json': { schema: responses.ref(answer.schema, `${name}Response`) } }
        : answer.contentType
          ? Object.fromEntries(answer.contentType.map((type) => [type, {}]))
          : undefined;
      for (const status of [answer.status, ...(answer.alsoStatus ?? [])]) {
        success[String(status)] = {
          description:
            answer.description ??
            (status === 204 ? 'Done; no body.' : status === 302 ? 'Redirects the browser (Location).' : 'Success.'),
          ...(content && status !== 204 ? { content } : {}),
        };
      }
    }
    const isPublic = 'public' in def.auth;
    const operation = {
      operationId: name[0]!.toLowerCase() + name.slice(1),
      ...(def.summary ? { summary: def.summary } : {}),
      security: isPublic ? [] : [{ bearer: [] }],
      'x-atrium-auth': authExtension(def),
      parameters: [...parameters(schemas.params, 'path'), ...parameters(schemas.query, 'query')],
      ...(schemas.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: requests.ref(schemas.body, `${name}Body`) } },
            },
          }
        : {}),
      responses: {
        ...success,
        ...(schemas.body || schemas.query || schemas.params
          ? { '400': errorResponse('invalid_input: the message and details name the field.') }
          : {}),
        ...(isPublic
          ? {}
          : {
              '401': errorResponse('No valid bearer token.'),
              '403': errorResponse('The token type or role does not allow this.'),
            }),
        default: errorResponse('Any other failure, with a stable error code.'),
      },
    };
    const path = openApiPath(def.path);
    paths[path] = { ...paths[path], [def.method]: operation };
  }
  const errorSchemas = componentSet('output');
  errorSchemas.ref(errorBodySchema, 'Error');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Atrium API',
      // The API's version (the /api/v1 prefix); additions keep it, as DESIGN §7.1 allows only additions.
      version: '1',
      description:
        'Generated from the zod schemas of packages/protocol and the route registry of the server. Every error body is { error: { code, message, details? } }.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    paths,
    components: {
      schemas: { ...requests.convert(), ...responses.convert(), ...errorSchemas.convert() },
      responses: {
        Error: {
          description: 'An error with a stable snake_case code.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An access token (users) or a device token (kiosks); `x-atrium-auth` on each operation names the token types and roles it takes.',
        },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;

export const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.record(z.string(), z.unknown()),
});

/** GET /openapi.json: public and the same for everyone, built once from the registry on first request. */
export function openApiRoute(registry: readonly RouteDef[]): RouteDef {
  let document: string | undefined;
  return route({
    method: 'get',
    path: '/openapi.json',
    auth: { public: true },
    response: { status: 200, schema: openApiDocumentSchema, description: 'This document (OpenAPI 3.1).' },
    handler(_req, res) {
      document ??= JSON.stringify(buildOpenApiDocument(registry));
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.type('application/json').send(document);
    },
  });
}
