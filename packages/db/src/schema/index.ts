export * from './workspaces.js';
export * from './links.js';
export * from './endpoints.js';
export * from './events.js';
export * from './deliveries.js';
export * from './replays.js';
