import { z } from 'zod';

// An empty value is unset: compose files pass `${VAR:-}` through as "".
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

// Environment both apps read (each spreads these into its own zod config; nothing else reads process.env).
export const observabilityConfigFields = {
  /** When set, /metrics (API and worker) answers only a request bearing it. */
  DISPATCH_METRICS_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
  /** OTLP/HTTP base URL (traces go to `<url>/v1/traces`); tracing is off, and costs nothing, without it. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(z.url()),
};

export const workerHealthConfigFields = {
  /** The worker's /healthz, /readyz and /metrics; 0 picks a free port (tests running several workers). */
  DISPATCH_WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
};
