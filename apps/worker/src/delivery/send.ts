import type { Got } from 'got';
import { attemptErrorFromCode, isBlockedHostname, type AttemptError } from '@dispatch/core';
import type { AttemptTimings } from '@dispatch/db';

export const STORED_BODY_LIMIT = 32 * 1024;
// Past this many bytes we stop reading a body of unknown length: a hostile receiver cannot make
// the worker download (or hold) more than this for one attempt.
const COUNTED_BODY_LIMIT = 1024 * 1024;

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
 */
export function sendWebhook(
  client: Got,
  input: { url: string; body: string; headers: Record<string, string>; allowPrivateDestinations: boolean },
): Promise<SendResult> {
  const startedAt = performance.now();
  if (!input.allowPrivateDestinations && isBlockedHostname(new URL(input.url).hostname)) {
    return Promise.resolve(failure('destination_blocked', startedAt));
  }
  return new Promise((resolve) => {
    const stream = client.stream(input.url, { method: 'POST', body: input.body, headers: input.headers });
    const chunks: Buffer[] = [];
    let stored = 0;
    let received = 0;
    let statusCode: number | null = null;
    let responseHeaders: Record<string, string | string[]> | null = null;
    let declaredLength: number | null = null;
    let settled = false;

    const finish = (error: AttemptError | null) => {
      if (settled) return;
      settled = true;
      stream.destroy();
      const body = Buffer.concat(chunks).toString('utf8');
      const size = declaredLength ?? received;
      resolve({
        statusCode,
        responseHeaders,
        responseBody: statusCode === null ? null : body,
        responseBodyTruncated: size > stored,
        responseBodySize: statusCode === null ? null : size,
        error,
        timings: timingsFrom((stream as unknown as { timings?: RequestTimings }).timings, performance.now() - startedAt),
      });
    };

    stream.on('response', (response: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
      statusCode = response.statusCode;
      responseHeaders = Object.fromEntries(Object.entries(response.headers).filter((e): e is [string, string | string[]] => e[1] !== undefined));
      const length = Number(response.headers['content-length']);
      declaredLength = Number.isFinite(length) && length >= 0 ? length : null;
    });
    stream.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (stored < STORED_BODY_LIMIT) {
        const slice = chunk.subarray(0, STORED_BODY_LIMIT - stored);
        chunks.push(slice);
        stored += slice.length;
      }
      // Enough read: the size is known from the header, or we have counted as far as we will.
      if (stored >= STORED_BODY_LIMIT && (declaredLength !== null || received >= COUNTED_BODY_LIMIT)) finish(null);
    });
    stream.on('end', () => finish(null));
    stream.on('error', (err: Error & { code?: string }) => {
      // An answer whose body then stalls or breaks still has a status: the status is the outcome.
      if (statusCode !== null) return finish(null);
      settled = true;
      resolve(failure(attemptErrorFromCode(err.code, err.name), startedAt, (stream as unknown as { timings?: RequestTimings }).timings));
    });
    stream.resume();
  });
}
