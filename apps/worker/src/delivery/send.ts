import type { Got } from 'got';
import { attemptErrorFromCode, type AttemptError } from '@dispatch/core';
import type { AttemptTimings } from '@dispatch/db';
import { checkLiteralDestination } from './destination-guard.js';

export const STORED_BODY_LIMIT = 32 * 1024;
// Past this many bytes we stop reading a body of unknown length: a hostile receiver cannot make
// the worker download (or hold) more than this for one attempt. With a content-length we stop as
// soon as STORED_BODY_LIMIT is stored, since the size is known.
export const COUNTED_BODY_LIMIT = 1024 * 1024;

export interface SendResult {
  statusCode: number | null;
  responseHeaders: Record<string, string | string[]> | null;
  responseBody: string | null;
  responseBodyTruncated: boolean;
  responseBodySize: number | null;
  error: AttemptError | null;
  timings: AttemptTimings;
}

interface RequestTimings {
  phases?: { dns?: number; tcp?: number; tls?: number; firstByte?: number };
}

function timingsFrom(raw: RequestTimings | undefined, totalMs: number): AttemptTimings {
  const phases = raw?.phases ?? {};
  const ms = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);
  return { dns: ms(phases.dns), connect: ms(phases.tcp), tls: ms(phases.tls), firstByte: ms(phases.firstByte), total: Math.round(totalMs) };
}

const failure = (error: AttemptError, startedAt: number, timings?: RequestTimings): SendResult => ({
  statusCode: null,
  responseHeaders: null,
  responseBody: null,
  responseBodyTruncated: false,
  responseBodySize: null,
  error,
  timings: timingsFrom(timings, performance.now() - startedAt),
});

/**
 * Sends one signed request and reads at most STORED_BODY_LIMIT bytes of the answer. Never throws:
 * every way a request can end is a SendResult for the attempt record.
 *
 * The body read is bounded (STORED_BODY_LIMIT kept, COUNTED_BODY_LIMIT counted), and when we stop
 * reading early the request and its socket are destroyed, so a half-read connection never goes back
 * into the keep-alive pool. An answer whose body stalls or breaks after the status line keeps its
 * status as the outcome (`error` stays null, as the contract says for an HTTP answer) and is marked
 * truncated, its size being the bytes seen (or the declared length).
 */
export function sendWebhook(
  client: Got,
  input: { url: string; body: string; headers: Record<string, string>; allowPrivateDestinations: boolean },
): Promise<SendResult> {
  const startedAt = performance.now();
  const refused = checkLiteralDestination(input.url, input.allowPrivateDestinations);
  if (refused) return Promise.resolve(failure(refused, startedAt));
  return new Promise((resolve) => {
    const stream = client.stream(input.url, { method: 'POST', body: input.body, headers: input.headers });
    const chunks: Buffer[] = [];
    let stored = 0;
    let received = 0;
    let statusCode: number | null = null;
    let responseHeaders: Record<string, string | string[]> | null = null;
    let declaredLength: number | null = null;
    let complete = false;
    let settled = false;

    const finish = (error: AttemptError | null) => {
      if (settled) return;
      settled = true;
      // Before the body's end this destroys the socket too; after it the socket is already back in the pool.
      stream.destroy();
      // Postgres text cannot hold U+0000: a receiver answering NUL bytes would make the attempt
      // unrecordable (and the delivery re-sent forever), so they are stored as U+FFFD.
      const body = Buffer.concat(chunks).toString('utf8').replaceAll('\0', '\uFFFD');
      const size = declaredLength ?? received;
      resolve({
        statusCode,
        responseHeaders,
        responseBody: statusCode === null ? null : body,
        responseBodyTruncated: statusCode !== null && (size > stored || !complete),
        responseBodySize: statusCode === null ? null : size,
        error,
        timings: timingsFrom((stream as unknown as { timings?: RequestTimings }).timings, performance.now() - startedAt),
      });
    };

    stream.on('response', (response: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
      statusCode = response.statusCode;
      responseHeaders = Object.fromEntries(Object.entries(response.headers).filter((e): e is [string, string | string[]] => e[1] !== undefined));
      // A content-length counts encoded bytes; a compressed body is counted as it is decoded.
      const encoded = (response.headers['content-encoding'] ?? 'identity') !== 'identity';
      const length = Number(response.headers['content-length']);
      declaredLength = !encoded && Number.isFinite(length) && length >= 0 ? length : null;
    });
    stream.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (stored < STORED_BODY_LIMIT) {
        const slice = chunk.subarray(0, STORED_BODY_LIMIT - stored);
        chunks.push(slice);
        stored += slice.length;
      }
      if (declaredLength !== null && received >= declaredLength) complete = true;
      // Enough read: the size is known from the header, or we have counted as far as we will.
      if (stored >= STORED_BODY_LIMIT && (declaredLength !== null || received >= COUNTED_BODY_LIMIT)) finish(null);
    });
    stream.on('end', () => {
      complete = true;
      finish(null);
    });
    stream.on('error', (err: Error & { code?: string }) => {
      // An answer whose body then stalls or breaks still has a status: the status is the outcome.
      if (statusCode !== null) return finish(null);
      if (settled) return;
      settled = true;
      resolve(failure(attemptErrorFromCode(err.code, err.name), startedAt, (stream as unknown as { timings?: RequestTimings }).timings));
    });
    stream.resume();
  });
}
