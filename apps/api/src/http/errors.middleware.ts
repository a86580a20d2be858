import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { AppError, badRequest, loggableError, notFound, payloadTooLarge, serviceUnavailable } from '@dispatch/core';
import type { Logger } from 'pino';
import { RETRY_AFTER_SECONDS } from './rate-limit.js';

// Errors that mean "a backing service is down": the caller should retry, and nothing was accepted.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08000', '08001', '08003', '08006']);
// pg's messages for a connection that is gone (they carry no code): lost mid-query, lost while the
// client was checked out (the next query or the rollback then fails), or never established.
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect|connect ECONNREFUSED|read ECONNRESET/;

/**
 * drizzle wraps every driver error in a DrizzleQueryError whose `cause` is pg's, so look down the
 * chain. The wrapper's own message holds the SQL and its parameters (caller data), so it is not matched.
 */
function isUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const { code, message, cause } = error as { code?: string; message?: string; cause?: unknown };
  const wrapper = 'query' in error;
  if (!wrapper && code && UNAVAILABLE_CODES.has(code)) return true;
  if (!wrapper && typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
  return isUnavailable(cause, depth + 1);
}

/** Turns anything thrown into an AppError; body-parser and infrastructure errors get their 4xx/503. */
export function toAppError(error: unknown, maxBody: number): AppError {
  if (error instanceof AppError) return error;
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large') return payloadTooLarge(maxBody);
  if (type === 'entity.parse.failed') return badRequest('malformed JSON body');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return badRequest('unsupported body encoding');
  if (isUnavailable(error)) return serviceUnavailable();
  return new AppError('internal_error', 500, 'internal error', [], false);
}

export function errorMiddleware(logger: Logger, maxBody: number): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error, maxBody);
    const requestId = (req as Request & { id?: string }).id;
    const logFields = { requestId, method: req.method, path: req.path, status: appError.status, code: appError.code };
    if (appError.status >= 500) logger.error({ ...logFields, err: loggableError(error) }, 'request failed');
    else logger.info(logFields, appError.message);
    if (appError.code === 'rate_limited') res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
    if (appError.code === 'service_unavailable') res.setHeader('retry-after', '5');
    res.status(appError.status).json({
      error: {
        code: appError.code,
        message: appError.expose ? appError.message : 'internal error',
        details: appError.expose ? appError.details : [],
        requestId,
      },
    });
  };
}

export const notFoundRoute: RequestHandler = (req, _res, next) => next(notFound(`route ${req.method} ${req.path}`));
