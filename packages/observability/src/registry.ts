import { collectDefaultMetrics, Registry } from 'prom-client';

// Node's default metrics (CPU, memory, event-loop lag, GC, handles) describe the process, so they
// are collected once per process: each collection starts an event-loop delay monitor and a GC
// observer that are never stopped, and a test process starts dozens of APIs and workers.
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * What one API or worker serves on /metrics: its own registry (so two of them in one process never
 * mix their counts) with the process's default metrics. Call it once every metric is registered.
 */
export function exposedRegistry(own: Registry): Registry {
  return Registry.merge([processMetrics(), own]);
}
