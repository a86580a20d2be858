import type { RequestHandler } from 'express';
import { newId } from '@dispatch/core';

/** Every request gets an id, echoed in `x-request-id`, in error bodies and in log lines. */
export const requestId: RequestHandler = (req, res, next) => {
  const id = newId('request');
  (req as typeof req & { id: string }).id = id;
  res.setHeader('x-request-id', id);
  next();
};
