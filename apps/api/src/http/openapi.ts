import { z } from 'zod';
import type { AnyRoute } from './route.js';

// The OpenAPI document, built from the same route declarations that validate requests, so it
// cannot drift from what the API accepts. Choices the contract left open are written here too.

const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
        requestId: { type: 'string' },
      },
      required: ['code', 'message', 'details', 'requestId'],
    },
  },
};

function jsonSchema(schema: z.ZodType | undefined): Record<string, unknown> | undefined {
  return schema ? (z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>) : undefined;
}

function successStatuses(route: AnyRoute): string[] {
  if (route.method === 'delete') return ['204'];
  if (route.method !== 'post') return ['200'];
  // A test answers 200 once its attempt landed, else 202 with the delivery still pending.
  if (route.path.endsWith('/test')) return ['200', '202'];
  if (/\/(redeliver\/:deliveryId|replay|events|events\/batch)$/.test(route.path)) return ['202'];
  if (/\/(enable|rotate-secret|reseal)$/.test(route.path) || route.path.endsWith('/outbound/events')) return ['200'];
  return ['201'];
}

function parameters(route: AnyRoute) {
  const list: Record<string, unknown>[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    const properties = (jsonSchema(schema)?.properties ?? {}) as Record<string, unknown>;
    for (const [name, property] of Object.entries(properties)) list.push({ name, in: where, required: where === 'path', schema: property });
  }
  return list;
}

export function buildOpenApi(routes: readonly AnyRoute[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `/api${route.path.replace(/:(\w+)/g, '{$1}')}`;
    const access = route.access;
    const body = jsonSchema(route.body);
    const statuses = successStatuses(route);
    paths[path] ??= {};
    paths[path][route.method] = {
      security: access === 'public' ? [] : [{ bearer: [] }],
      ...(typeof access === 'object' ? { 'x-scope': access.scope, ...(access.feature ? { 'x-feature': access.feature } : {}) } : {}),
      ...(access === 'admin' ? { 'x-operator-only': true } : {}),
      parameters: parameters(route),
      // A body whose every field is optional may be left out (the route then reads it as {}).
      ...(body ? { requestBody: { required: !route.body!.safeParse({}).success, content: { 'application/json': { schema: body } } } } : {}),
      responses: {
        ...Object.fromEntries(statuses.map((status) => [status, { description: status === '204' ? 'no content' : status === '202' ? 'accepted' : 'success' }])),
        default: { description: 'error (see the contract for each status)', content: { 'application/json': { schema: ERROR_SCHEMA } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Dispatch',
      version,
      description: [
        'Webhook delivery. Choices where the contract is silent:',
        '- Idempotency-Key: the same key within 24 h with the same request (type, data as a value whatever its key order, linkId; for a batch every event, in order) answers the first answer; with a different request it is 409. A batch\'s key and a single event\'s key never collide.',
        '- Link and outbound webhooks also have enable, rotate-secret, redeliver and delivery-detail routes, like workspace webhooks.',
        '- Redeliver/test/replay reach a disabled endpoint (an operator checks a fix); scheduled retries do not.',
        '- Replay re-sends finished deliveries (failed, or with status=all also succeeded/cancelled), one attempt each, at low priority.',
        '- A body that is not application/json is 400; unknown fields are 400; so is a body not in its Content-Encoding, or in one the server does not support (no 415).',
        '- Strings may not contain NUL (U+0000): 400. Times are ISO-8601 with an offset, in years 1 to 9999 (UTC).',
        '- A malformed percent-escape in the path is 400. OPTIONS is answered like any undeclared method: 404 (no CORS preflight).',
        '- Lists are newest first by id; ids are time-sortable and monotonic within a process.',
        '- An operator\'s list of a workspace\'s keys is cursor-paginated like every list ({ data, nextCursor }), revoked and expired keys included; `hint` is null for keys made before hints were stored.',
        '- expiresIn on key creation: 1m to 3650d. Revoking a revoked key is 204 again (its first revokedAt stays).',
        '- Rotation answers like key creation plus previousKeyExpiresAt; the new key keeps the old key\'s name, scopes and lifetime (if it had one). A revoked or expired key cannot be rotated: 409.',
        '- events:write also grants events:read. 429 (with retry-after) also for: failed authentication per client address, operator requests per API process, test sends per API key (a burst of 10, then one per 10 s).',
        '- Custom headers of outbound webhooks are secrets: every answer (create included) shows their names with masked values (`••••••••`, plus the last 4 characters of a value of 20 characters or more). `headers` in a PATCH replaces the whole map; a masked value sent back is 400 (send the real value).',
        '- Operator: GET /admin/secrets counts sealed values `{ keyId, total, current, remaining }`; POST /admin/secrets/reseal `{ limit?: 1..1000 }` re-seals at most `limit` of them under the key ring\'s first key and answers `{ keyId, resealed, remaining, total }` (call it until `remaining` is 0; 409 names an endpoint whose value no key of the ring opens).',
      ].join('\n'),
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
