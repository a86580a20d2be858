import type { ErrorRequestHandler, Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { badRequest, type Feature, type Scope } from '@dispatch/core';
import type { ApiDeps } from '../deps.js';
import { authenticateAdmin, authenticateKey, type Principal } from './auth.js';

// Each route is declared once: method, path, who may call it, the zod schemas of its inputs and a
// handler that receives parsed values. Handlers never see raw input.

export type Access = { scope: Scope; feature?: Feature } | 'admin' | 'public';

export interface RouteContext<P, Q, B> {
  deps: ApiDeps;
  principal: Principal;
  params: P;
  query: Q;
  body: B;
  req: Request;
}

/** A response with a status other than 200 (201, 202, 204). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
  ) {}
}

export interface RouteDefinition<P = unknown, Q = unknown, B = unknown> {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Returns the response body (status 200) or an explicit reply. */
  handler: (ctx: RouteContext<P, Q, B>) => Promise<unknown>;
}

export const route = <P = unknown, Q = unknown, B = unknown>(definition: RouteDefinition<P, Q, B>) => definition;
export const reply = (status: number, body?: unknown) => new Reply(status, body);

export function zodDetails(error: z.ZodError, prefix?: string) {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
  }));
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = zodDetails(result.error, where === 'body' ? undefined : where);
  throw badRequest(details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
}

async function authorize(deps: ApiDeps, access: Access, req: Request): Promise<Principal> {
  if (access === 'public') return { kind: 'public' };
  if (access === 'admin') return authenticateAdmin(deps, req);
  return authenticateKey(deps, req, access.scope, access.feature);
}

// A list of routes mixes input types; each definition was checked against its own schemas by `route()`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDefinition<any, any, any>;

type RequestWithBodyError = Request & { bodyError?: unknown };

/**
 * A malformed or oversized body is reported after authentication: an anonymous caller gets 401
 * whatever it sends, and a key without the scope gets 403.
 */
export const deferBodyErrors: ErrorRequestHandler = (error, req, _res, next) => {
  (req as RequestWithBodyError).bodyError = error;
  next();
};

/** A body in another format would otherwise be ignored and reported as missing fields. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is(['application/json', 'application/*+json'])) {
    (req as RequestWithBodyError).bodyError = badRequest('content-type must be application/json');
  }
  next();
};

export function mount(router: Router, deps: ApiDeps, routes: readonly AnyRoute[]): void {
  for (const definition of routes) {
    router[definition.method](definition.path, async (req: Request, res: Response) => {
      const principal = await authorize(deps, definition.access, req);
      const { bodyError } = req as RequestWithBodyError;
      if (bodyError) throw bodyError;
      const params = parse(definition.params, req.params, 'params');
      const query = parse(definition.query, req.query, 'query');
      const body = parse(definition.body, req.body ?? {}, 'body');
      const result = await definition.handler({ deps, principal, params, query, body, req });
      const { status, body: payload } = result instanceof Reply ? result : { status: 200, body: result };
      if (payload === undefined) res.status(status).end();
      else res.status(status).json(payload);
    });
  }
}
