import type { Request, RequestHandler } from 'express';
import { unauthorized } from '@dispatch/core';
import { metricsAuthorized, type RequestSpan } from '@dispatch/observability';
import type { ApiDeps } from '../deps.js';

// Every request is counted and timed under its declared route (`/api/events/:eventId`, never the
// URL with its ids), in memory; a request that matched no route is `unmatched`. With tracing on,
// each request also gets a server span, whose context POST /api/events carries into its jobs.

const UNMATCHED = 'unmatched';
const BASE = 'dispatchRouteBase';
const spans = new WeakMap<Request, RequestSpan>();

/**
 * Remembers the mount path (`/api`) of the router a request entered: Express resets `req.baseUrl`
 * when an error leaves the router, before the error middleware answers.
 */
export const rememberRouteBase: RequestHandler = (req, res, next) => {
  res.locals[BASE] = req.baseUrl;
  next();
};

function routeOf(req: Request, locals: Record<string, unknown>): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path !== 'string') return UNMATCHED;
  return `${typeof locals[BASE] === 'string' ? locals[BASE] : req.baseUrl}${path}`;
}

export function observeRequests(deps: ApiDeps): RequestHandler {
  const { metrics, tracing } = deps.observability;
  return (req, res, next) => {
    const startedAt = performance.now();
    const header = req.headers.traceparent;
    const span = tracing?.startRequest(req.method, Array.isArray(header) ? header[0] : header);
    if (span) spans.set(req, span);
    res.once('finish', () => {
      const route = routeOf(req, res.locals);
      metrics.httpRequest(req.method, route, res.statusCode, (performance.now() - startedAt) / 1000);
      span?.end(route, res.statusCode);
    });
    next();
  };
}

/** The trace context this request's work carries to the worker (undefined when tracing is off). */
export const traceparentOf = (req: Request): string | undefined => spans.get(req)?.traceparent;

/** GET /metrics: Prometheus text; with DISPATCH_METRICS_TOKEN set, only for a bearer of it. */
export function metricsRoute(deps: ApiDeps): RequestHandler {
  const { registry } = deps.observability.metrics;
  return async (req, res) => {
    if (!metricsAuthorized(req.headers.authorization, deps.config.DISPATCH_METRICS_TOKEN)) {
      res.setHeader('www-authenticate', 'Bearer');
      throw unauthorized('missing or invalid metrics token');
    }
    const body = await registry.metrics();
    res.setHeader('content-type', registry.contentType);
    res.setHeader('cache-control', 'no-store');
    res.send(body);
  };
}
