// Value sets that the API shows and the database stores. They live here, in core, so the contract,
// the database schema and the clients name the same values.

/** Stored delivery states. */
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * States as every view and filter shows them: a pending delivery whose last attempt failed (it is
 * waiting for a retry) is `failing`; `failed` means it will not be tried again.
 */
export const DELIVERY_VIEW_STATUSES = ['pending', 'failing', 'succeeded', 'failed', 'cancelled'] as const;
export type DeliveryViewStatus = (typeof DELIVERY_VIEW_STATUSES)[number];

/** What a replay re-sends: finished failures (default), deliveries still retrying, or everything. */
export const REPLAY_SELECTIONS = ['failed', 'failing', 'all'] as const;
export type ReplaySelection = (typeof REPLAY_SELECTIONS)[number];

export const STATS_WINDOWS = ['1h', '24h', '7d'] as const;
export type StatsWindow = (typeof STATS_WINDOWS)[number];

/** Endpoint health as the on-call views filter it. */
export const ENDPOINT_HEALTH_FILTERS = ['failing', 'disabled', 'paused'] as const;
export type EndpointHealthFilter = (typeof ENDPOINT_HEALTH_FILTERS)[number];

export const ATTEMPT_TRIGGERS = ['initial', 'retry', 'redeliver', 'test', 'replay'] as const;
export type AttemptTrigger = (typeof ATTEMPT_TRIGGERS)[number];

export const ENDPOINT_KINDS = ['workspace_webhook', 'link_webhook', 'outbound_webhook'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

export const DISABLED_REASONS = ['gone', 'failing'] as const;
export type DisabledReason = (typeof DISABLED_REASONS)[number];

export const REPLAY_STATUSES = ['queued', 'running', 'completed'] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];
