export * from './names.js';
export * from './jobs.js';
export * from './connection.js';
export * from './queues.js';
export * from './endpoint-pauses.js';
export * from './priorities.js';
export * from './shards.js';
