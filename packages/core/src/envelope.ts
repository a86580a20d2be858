// The body a receiver gets. Serialised once, when the event is accepted; those exact bytes are stored,
// signed and sent on every attempt (never re-serialised, so signatures and stored payloads always match).
export interface EventEnvelope {
  id: string;
  type: string;
  timestamp: string;
  data: unknown;
  /** A test delivery's body says so (`"test": true`), so a receiver can tell it from a real event. */
  test?: boolean;
}

export function serializeEnvelope(envelope: EventEnvelope): string {
  if (envelope.test) return JSON.stringify({ id: envelope.id, type: envelope.type, timestamp: envelope.timestamp, test: true, data: envelope.data });
  return JSON.stringify({ id: envelope.id, type: envelope.type, timestamp: envelope.timestamp, data: envelope.data });
}
