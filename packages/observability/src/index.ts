export * from './metric-names.js';
export * from './config.js';
export * from './metrics-token.js';
export * from './backlog-gauges.js';
export * from './api-metrics.js';
export * from './worker-metrics.js';
export * from './tracing.js';
