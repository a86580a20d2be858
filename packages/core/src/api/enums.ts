// Value sets that the API shows and the database stores. They live here, in core, so the contract,
// the database schema and the clients name the same values.

/** Stored delivery states. */
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const ATTEMPT_TRIGGERS = ['initial', 'retry', 'redeliver', 'test', 'replay'] as const;
export type AttemptTrigger = (typeof ATTEMPT_TRIGGERS)[number];

export const ENDPOINT_KINDS = ['workspace_webhook', 'link_webhook', 'outbound_webhook'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

export const DISABLED_REASONS = ['gone', 'failing'] as const;
export type DisabledReason = (typeof DISABLED_REASONS)[number];

export const REPLAY_STATUSES = ['queued', 'running', 'completed'] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];
