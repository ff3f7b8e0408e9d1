import { TokenBucket } from 'limiter';
import pLimit from 'p-limit';

export interface LimiterSettings {
  /** Burst size of the API's bucket; 0 = no client-side pacing. */
  capacity: number;
  /** Drain rate of the API's bucket, requests per second; 0 = no client-side pacing. */
  perSecond: number;
  /** Requests in flight at once. */
  maxConcurrent: number;
}

/**
 * Models the vendor's leaky bucket on our side, so that a sync spends its burst
 * and then runs at the drain rate without being throttled: a token bucket of
 * the same size and rate admits exactly the requests the leaky bucket accepts.
 * p-limit bounds the requests in flight; each one then takes a token.
 */
export class RequestLimiter {
  private readonly slots: pLimit.Limit;
  private readonly bucket?: TokenBucket;

  constructor(settings: LimiterSettings) {
    this.slots = pLimit(settings.maxConcurrent);
    if (settings.capacity > 0 && settings.perSecond > 0) {
      // One slot of headroom: requests that left on time can still arrive bunched
      // (network jitter), and the API's bucket counts arrivals.
      const size = Math.max(1, settings.capacity - 1);
      this.bucket = new TokenBucket({ bucketSize: size, tokensPerInterval: settings.perSecond, interval: 1000 });
      // The API's bucket is empty when a sync starts: the whole burst is ours.
      this.bucket.content = size;
    }
  }

  /**
   * Runs one HTTP exchange when a slot and a token are free; reports how long it waited for the token.
   * `onHeld` is told when the exchange has to wait for a token, and its result when the wait ends.
   */
  run<T>(exchange: () => Promise<T>, onWaited: (ms: number) => void, onHeld?: () => () => void): Promise<T> {
    const { bucket } = this;
    // Without pacing the slot runs the exchange itself: no wrapper (a closure and a promise a request).
    if (!bucket) return this.slots(exchange);
    return this.slots(async () => {
      const waitingSince = Date.now();
      const released = bucket.content < 1 ? onHeld?.() : undefined;
      try {
        await bucket.removeTokens(1);
      } finally {
        released?.();
      }
      onWaited(Date.now() - waitingSince);
      return exchange();
    });
  }

  /**
   * The API throttled us anyway (another client shares the bucket, or our model
   * drifted): empty our bucket so that every queued request slows to the drain
   * rate instead of bursting into more 429s.
   */
  throttled(): void {
    if (!this.bucket) return;
    // Drip first: the tokens due since the last drip would otherwise be added back at the next one.
    this.bucket.drip();
    this.bucket.content = 0;
  }

  /** Drops the requests still waiting for a slot. */
  stop(): void {
    this.slots.clearQueue();
  }
}
