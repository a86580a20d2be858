import { describe, expect, it } from '@jest/globals';
import { serializeEnvelope } from './envelope.js';

describe('serializeEnvelope', () => {
  const base = { id: 'evt_1', type: 'lead.created', timestamp: '2026-01-01T00:00:00.000Z', data: { a: 1 } };

  it('writes id, type, timestamp and data, in that order', () => {
    expect(serializeEnvelope(base)).toBe('{"id":"evt_1","type":"lead.created","timestamp":"2026-01-01T00:00:00.000Z","data":{"a":1}}');
    expect(serializeEnvelope({ ...base, test: false })).toBe(serializeEnvelope(base));
  });

  it('marks a test with "test": true beside them', () => {
    expect(JSON.parse(serializeEnvelope({ ...base, test: true }))).toEqual({ ...base, test: true });
  });
});
