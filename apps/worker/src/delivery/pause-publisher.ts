import { PUBLISHED_HOLD_MIN_MS, type EndpointPauses } from '@dispatch/queue';
import { loggableError } from '@dispatch/core';
import type { Logger } from 'pino';

const MAX_ENTRIES = 10_000;

/**
 * Tells the API (through Redis, see endpoint-pauses.ts) when this worker holds an endpoint (or, under
 * its workspacePauseKey, a workspace) back for a while, once per pause rather than once per parked job: a hold is published only when it lasts
 * at least PUBLISHED_HOLD_MIN_MS and ends later than the one already published by more than that.
 * A hold that ends early (the stuck request finished) is taken back, so the API stops delaying.
 */
export class PausePublisher {
  private readonly published = new Map<string, number>();

  constructor(
    private readonly pauses: EndpointPauses,
    private readonly logger: Logger,
  ) {}

  offer(endpointId: string, until: number, now = Date.now()): void {
    if (until - now < PUBLISHED_HOLD_MIN_MS) return;
    const known = this.published.get(endpointId);
    if (known !== undefined && known > now && until - known < PUBLISHED_HOLD_MIN_MS) return;
    if (this.published.size >= MAX_ENTRIES) this.published.clear();
    this.published.set(endpointId, until);
    // A hint: if it cannot be written the worker keeps parking that endpoint's jobs itself.
    this.pauses.publish(endpointId, until).catch((err: unknown) => {
      this.published.delete(endpointId);
      this.logger.debug({ err: loggableError(err), endpointId }, 'could not publish an endpoint pause');
    });
  }

  /** The endpoint is no longer held back by this worker: withdraws a pause it published that has not ended. */
  retract(endpointId: string, now = Date.now()): void {
    const until = this.published.get(endpointId);
    if (until === undefined) return;
    this.published.delete(endpointId);
    if (until <= now) return;
    this.pauses.forget(endpointId).catch((err: unknown) => {
      this.logger.debug({ err: loggableError(err), endpointId }, 'could not withdraw an endpoint pause');
    });
  }

  /**
   * The endpoint proved healthy here: withdraws its pause whoever published it, so the API stops
   * delaying its deliveries and the other workers close their breakers (BreakerSync).
   */
  withdraw(endpointId: string): void {
    this.published.delete(endpointId);
    this.pauses.forget(endpointId).catch((err: unknown) => {
      this.logger.debug({ err: loggableError(err), endpointId }, 'could not withdraw an endpoint pause');
    });
  }
}
