import { QUEUES } from './names.js';

// Delivery queues are sharded: on Redis Cluster a BullMQ queue lives in one hash slot, hence on one
// master, so DISPATCH_QUEUE_SHARDS queues let the delivery load spread over several masters. Shard 0
// keeps the historical name, so one shard is exactly the single queue of before.

/** `{deliveries}`, then `{deliveries-1}`, `{deliveries-2}`…: each its own hash tag, so its own slot. */
export function deliveryQueueName(shard: number): string {
  return shard === 0 ? QUEUES.deliveries : `{deliveries-${shard}}`;
}

export function deliveryQueueNames(shards: number): string[] {
  return Array.from({ length: shards }, (_, shard) => deliveryQueueName(shard));
}

/**
 * The shard of an endpoint's deliveries: a stable hash of its id (FNV-1a, 32 bits), the same in every
 * process and release, so one endpoint's jobs stay in one queue.
 */
export function deliveryShardOf(endpointId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < endpointId.length; i++) {
    hash ^= endpointId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
