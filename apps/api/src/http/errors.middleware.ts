import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { AppError, badRequest, loggableError, notFound, payloadTooLarge, RateLimitedError, serviceUnavailable } from '@dispatch/core';
import type { Logger } from 'pino';
import { isInvalidInput, isUnavailable } from '@dispatch/db';

/** Turns anything thrown into an AppError; body-parser, router and infrastructure errors get their 4xx/503. */
export function toAppError(error: unknown, maxBody: number): AppError {
  if (error instanceof AppError) return error;
  const { type, status, expose } = error as { type?: string; status?: unknown; expose?: unknown };
  if (type === 'entity.too.large') return payloadTooLarge(maxBody);
  if (type === 'entity.parse.failed') return badRequest('malformed JSON body');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return badRequest('unsupported body encoding');
  // Express's router decodes path params with decodeURIComponent; a malformed or non-UTF-8 escape
  // (`/api/links/%E0%A4%A`) is a URIError marked `status: 400`. The caller's mistake, not ours.
  if (error instanceof URIError && status === 400) return badRequest('malformed percent-encoding in the URL');
  // Any other http-errors error that body-parser marks as the caller's (`expose`, 4xx), e.g. a body
  // that is not in its Content-Encoding (400, no `type`) or an aborted upload. The contract lists
  // neither 415 nor the others, so all but 413 are a 400; body-parser's own message is not shown.
  if (expose === true && typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return payloadTooLarge(maxBody);
    return badRequest(status === 415 ? 'unsupported body encoding' : 'malformed request body');
  }
  // Safety net behind validation: a value Postgres cannot store or parse (a NUL, an impossible date).
  if (isInvalidInput(error)) return badRequest('the request holds a value that cannot be stored (for example a NUL character)');
  if (isUnavailable(error)) return serviceUnavailable();
  return new AppError('internal_error', 500, 'internal error', [], false);
}

export function errorMiddleware(logger: Logger, maxBody: number): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error, maxBody);
    const requestId = (req as Request & { id?: string }).id;
    const logFields = { requestId, method: req.method, path: req.path, status: appError.status, code: appError.code };
    if (appError.status >= 500) logger.error({ ...logFields, err: loggableError(error) }, 'request failed');
    // The safety net caught what a schema let through: logged louder, so the schema gets fixed.
    else if (isInvalidInput(error)) logger.warn({ ...logFields, err: loggableError(error) }, 'the database refused a value that validation accepted');
    else logger.info(logFields, appError.message);
    if (appError instanceof RateLimitedError) res.setHeader('retry-after', String(appError.retryAfterSeconds));
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
