import { performance } from 'node:perf_hooks';

/**
 * The vendor's documented leaky bucket: each request adds one, the bucket
 * drains continuously, a request that would overflow it is refused and does
 * not count. One bucket per server, not per client, as with a real shop.
 */
export class LeakyBucket {
  private level = 0;
  private last = performance.now();

  constructor(
    private capacity: number,
    private perSecond: number,
  ) {}

  /** Changing the limits starts from an empty bucket so tests are predictable. */
  configure(capacity: number, perSecond: number): void {
    this.capacity = capacity;
    this.perSecond = perSecond;
    this.level = 0;
    this.last = performance.now();
  }

  /** Admit a request, or say how many whole seconds until one slot frees. */
  take(): { ok: true } | { ok: false; retryAfterSeconds: number } {
    if (this.capacity <= 0 || this.perSecond <= 0) return { ok: true };
    const now = performance.now();
    this.level = Math.max(0, this.level - ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.level + 1 > this.capacity) {
      const seconds = (this.level + 1 - this.capacity) / this.perSecond;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(seconds)) };
    }
    this.level += 1;
    return { ok: true };
  }
}
