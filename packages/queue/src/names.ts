// Queue names carry a Redis Cluster hash tag so each queue's keys share a slot while different
// queues can live on different shards.
export const QUEUES = {
  deliveries: '{deliveries}',
  fanout: '{fanout}',
  maintenance: '{maintenance}',
} as const;

export const JOBS = {
  deliver: 'deliver',
  fanout: 'fanout',
  reconcile: 'reconcile',
  replay: 'replay',
  prune: 'prune',
} as const;
