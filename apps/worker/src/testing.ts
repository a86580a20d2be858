// What the test harness (test-support/) and the other app's tests may use of the worker, through
// the package export `@dispatch/worker/testing`: the worker started in-process, its configuration,
// and the DNS resolver type a test injects to play a rebinding DNS server.
export { workerConfigSchema, type WorkerConfig } from './config.js';
export type { Resolver } from './delivery/destination-guard.js';
export { startWorker, type WorkerRuntime } from './runtime.js';
