/** The deliveries of one event just committed to Postgres, as the queue needs them. */
export interface EventDeliveries {
  eventId: string;
  deliveries: { id: string; endpointId: string; workspaceId: string; jobId: string }[];
  maxAttempts: number;
  manual?: boolean;
  /** Trace context of the request that accepted the event, for its delivery jobs. */
  traceparent?: string | undefined;
}
