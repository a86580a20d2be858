export * from './names.js';
export * from './jobs.js';
export * from './connection.js';
export * from './queues.js';
export * from './endpoint-pauses.js';
export * from './priorities.js';
export * from './queue-backend.js';
export * from './create-queue-backend.js';
export { queueSchemaName } from './postgres-backend.js';
