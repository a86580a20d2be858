import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { observabilityConfigFields, workerHealthConfigFields } from './config.js';

const schema = z.object({ ...observabilityConfigFields, ...workerHealthConfigFields });

describe('observability configuration', () => {
  it('is off and open by default, on port 3001', () => {
    expect(schema.parse({})).toEqual({ DISPATCH_WORKER_PORT: 3001 });
  });

  it('reads an empty variable (compose `${VAR:-}`) as unset', () => {
    expect(schema.parse({ DISPATCH_METRICS_TOKEN: '', OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toEqual({ DISPATCH_WORKER_PORT: 3001 });
  });

  it('takes a token of 16 characters or more and an http(s) URL, and refuses the rest', () => {
    expect(schema.parse({ DISPATCH_METRICS_TOKEN: 'a'.repeat(16), OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', DISPATCH_WORKER_PORT: '0' })).toEqual({
      DISPATCH_METRICS_TOKEN: 'a'.repeat(16),
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      DISPATCH_WORKER_PORT: 0,
    });
    expect(schema.safeParse({ DISPATCH_METRICS_TOKEN: 'short' }).success).toBe(false);
    expect(schema.safeParse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' }).success).toBe(false);
    expect(schema.safeParse({ DISPATCH_WORKER_PORT: '70000' }).success).toBe(false);
  });
});
