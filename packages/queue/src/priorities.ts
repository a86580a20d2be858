// BullMQ serves jobs without a priority first, then by priority, lowest first. One list, so the
// order between kinds of work is read in one place:
// - live deliveries: no priority, so nothing can starve them;
// - deliveries held back by a pause (an endpoint's breaker, a workspace's share) come back behind them;
// - replays (an operator's bulk re-send) come after both.
export const JOB_PRIORITIES = {
  held: 5,
  replay: 10,
} as const;
