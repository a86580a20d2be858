import type { z } from 'zod';
import type { Feature, Scope } from '../scopes.js';

// One declaration per route of the HTTP API: method, path, who may call it, the zod schemas of its
// inputs and of each answer it can give. The API mounts these with handlers, the OpenAPI document is
// built from them, and the typed client (packages/client) calls them: none of the three can drift
// from the others. Pure data, so the console's bundle can carry it.

/** Who may call a route: an API key with (any of) the scope(s), or the operator token. */
export type Access = { scope: Scope | readonly Scope[]; feature?: Feature } | 'admin';

export type SuccessStatus = 200 | 201 | 202 | 204;
/** Each success status a route can answer with, and the schema of its body (`null`: no body). */
export type ResponseMap = { readonly [S in SuccessStatus]?: z.ZodType | null };

export interface RouteContract<
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends ResponseMap = ResponseMap,
> {
  /** Stable name (`webhooks.create`): the OpenAPI operationId and the client's method path. */
  readonly id: string;
  readonly method: 'get' | 'post' | 'patch' | 'delete';
  /** Express-style path below `/api`, e.g. `/webhooks-manage/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly access: Access;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** Request headers the route reads, by name, with what they mean (documentation only). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly responses: R;
}

export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends ResponseMap = ResponseMap,
>(contract: RouteContract<P, Q, B, R>): RouteContract<P, Q, B, R> {
  return contract;
}

// A list of routes mixes input types; each was checked against its own schemas by `defineRoute`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRouteContract = RouteContract<any, any, any, ResponseMap>;

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
type Given<S> = S extends z.ZodType ? z.input<S> : undefined;
type BodyOf<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler receives, parsed. */
export type ParamsOf<C> = C extends RouteContract<infer P, infer _Q, infer _B, infer _R> ? Parsed<P> : never;
export type QueryOf<C> = C extends RouteContract<infer _P, infer Q, infer _B, infer _R> ? Parsed<Q> : never;
export type BodyInputOf<C> = C extends RouteContract<infer _P, infer _Q, infer B, infer _R> ? Parsed<B> : never;

/** What a caller sends, before parsing (defaults may be left out). */
export type RequestOf<C> =
  C extends RouteContract<infer P, infer Q, infer B, infer _R>
    ? (P extends z.ZodType ? { params: Given<P> } : { params?: undefined }) &
        (Q extends z.ZodType ? { query?: Given<Q> } : { query?: undefined }) &
        (B extends z.ZodType ? { body: Given<B> } : { body?: undefined }) & { headers?: Record<string, string> }
    : never;

/** The answer of each success status. */
export type ReplyOf<C> =
  C extends RouteContract<infer _P, infer _Q, infer _B, infer R> ? { [S in keyof R & SuccessStatus]: { status: S; body: BodyOf<R[S]> } }[keyof R & SuccessStatus] : never;

/** The body of any success answer (what a client call resolves to). */
export type ResponseOf<C> = ReplyOf<C>['body'];
