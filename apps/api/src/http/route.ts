import type { ErrorRequestHandler, Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { badRequest, zodIssueDetails } from '@dispatch/core';
import type { AnyRouteContract, BodyInputOf, ParamsOf, QueryOf, SuccessStatus } from '@dispatch/core/api';
import type { ApiDeps } from '../deps.js';
import { authenticateAdmin, authenticateKey, type Principal } from './auth.js';

// Each route of the contract (packages/core/src/api) is implemented once here: a handler that gets
// the parsed inputs and returns what the route answers. The contract says the method, the path, who
// may call it, the schemas of its inputs and the status and schema of each answer; `mount` reads it.

export interface RouteContext<C> {
  deps: ApiDeps;
  principal: Principal;
  params: ParamsOf<C>;
  query: QueryOf<C>;
  body: BodyInputOf<C>;
  req: Request;
}

type Responses<C> = C extends { responses: infer R } ? R : never;
type StatusesOf<C> = keyof Responses<C> & SuccessStatus;
type HandlerBody<S> = S extends z.ZodType ? z.input<S> : void;
type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/**
 * What a handler returns: the body, when the route has one success status (its status is the
 * contract's); `{ status, body }` when it has several (a test answers 200 or 202).
 */
export type HandlerResult<C> =
  true extends IsUnion<StatusesOf<C>>
    ? { [S in StatusesOf<C>]: { status: S; body: HandlerBody<Responses<C>[S]> } }[StatusesOf<C>]
    : HandlerBody<Responses<C>[StatusesOf<C>]>;

export interface RouteImplementation {
  contract: AnyRouteContract;
  handler: (ctx: RouteContext<AnyRouteContract>) => Promise<unknown>;
}

export function implement<C extends AnyRouteContract>(contract: C, handler: (ctx: RouteContext<C>) => Promise<HandlerResult<C>>): RouteImplementation {
  return { contract, handler: handler as RouteImplementation['handler'] };
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = zodIssueDetails(result.error, where === 'body' ? undefined : where);
  throw badRequest(details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
}

function authorize(deps: ApiDeps, contract: AnyRouteContract, req: Request): Promise<Principal> {
  const { access } = contract;
  if (access === 'admin') return authenticateAdmin(deps, req);
  return authenticateKey(deps, req, access.scope, access.feature);
}

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

/** The status and body of a handler's result, checked against the contract's statuses. */
function answerOf(contract: AnyRouteContract, result: unknown): { status: number; body: unknown } {
  const statuses = Object.keys(contract.responses).map(Number);
  if (statuses.length === 1) return { status: statuses[0]!, body: result };
  const answer = result as { status: number; body: unknown };
  if (!statuses.includes(answer.status)) throw new Error(`${contract.id} answered ${answer.status}, which its contract does not list`);
  return answer;
}

/**
 * Outside production every answer is checked against its contract schema (strict objects: a field
 * the contract does not name, a secret say, fails the request loudly in every test that reaches it).
 * Production skips the check: it costs CPU on every request, and the tests have made it.
 */
function checkAnswer(contract: AnyRouteContract, status: number, body: unknown): void {
  const schema = contract.responses[status as SuccessStatus];
  if (!schema) return;
  const result = schema.safeParse(body);
  if (!result.success) throw new Error(`the ${status} answer of ${contract.id} does not match its contract: ${result.error.message}`);
}

function handlerFor(deps: ApiDeps, implementation: RouteImplementation, checkAnswers: boolean) {
  const { contract, handler } = implementation;
  return async (req: Request, res: Response) => {
    const principal = await authorize(deps, contract, req);
    const { bodyError } = req as RequestWithBodyError;
    if (bodyError) throw bodyError;
    const params = parse(contract.params, req.params, 'params');
    const query = parse(contract.query, req.query, 'query');
    const body = parse(contract.body, req.body ?? {}, 'body');
    const { status, body: payload } = answerOf(contract, await handler({ deps, principal, params, query, body, req }));
    if (checkAnswers) checkAnswer(contract, status, payload);
    if (payload === undefined) res.status(status).end();
    else res.status(status).json(payload);
  };
}

/**
 * Mounts the implementations in the contract's order (the order routes are matched in). Every route
 * of the contract must be implemented exactly once: a missing or doubled one stops the API at start.
 */
export function mount(router: Router, deps: ApiDeps, contracts: readonly AnyRouteContract[], implementations: readonly RouteImplementation[]): void {
  const byContract = new Map<AnyRouteContract, RouteImplementation>();
  for (const implementation of implementations) {
    if (byContract.has(implementation.contract)) throw new Error(`route ${implementation.contract.id} is implemented twice`);
    if (!contracts.includes(implementation.contract)) throw new Error(`route ${implementation.contract.id} is not in the contract`);
    byContract.set(implementation.contract, implementation);
  }
  const missing = contracts.filter((contract) => !byContract.has(contract)).map((contract) => contract.id);
  if (missing.length > 0) throw new Error(`no handler for route(s): ${missing.join(', ')}`);
  const checkAnswers = deps.config.NODE_ENV !== 'production';
  for (const contract of contracts) router[contract.method](contract.path, handlerFor(deps, byContract.get(contract)!, checkAnswers));
}
