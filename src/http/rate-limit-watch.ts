/** How long a hold must last before the platform hears of it, and how often it may hear of it per stream. */
export interface RateLimitWatchSettings {
  holdMs: number;
  everyMs: number;
}

export const RATE_LIMIT_WATCH: RateLimitWatchSettings = { holdMs: 5_000, everyMs: 60_000 };

/** Told when a stream's requests are held back long: `quotaReset` (epoch ms) when the API said when it may be asked again. */
export type RateLimitReport = (stream: string, quotaReset?: number) => void;

/**
 * Notices when a stream's requests are held back for long — a request waiting
 * `holdMs` for the client-side bucket, or the API asking (429) for a wait of at
 * least `holdMs` — and reports it when noticed and again every `everyMs` while
 * the hold lasts, at most once per `everyMs` per stream: a platform shows the
 * stream as rate limited (STREAM_STATUS RUNNING, reason RATE_LIMITED) instead of
 * as stuck, and a long wait (a Retry-After of minutes) is never a silence longer
 * than `everyMs` that a heartbeat check would take for a hung connector. Airbyte's
 * platform shows the stream as running again at its next record, so no "no
 * longer limited" message is needed. Only the streams given are reported: a
 * request made for another reason (the product list read for child streams, the
 * connection check) belongs to no stream the platform knows of.
 */
export class RateLimitWatch {
  private readonly lastReport = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly streams: ReadonlySet<string>,
    private readonly report: RateLimitReport,
    private readonly settings: RateLimitWatchSettings = RATE_LIMIT_WATCH
  ) {}

  /** A request of `stream` starts waiting for the client-side limiter; call the result when it goes. */
  held(stream: string): () => void {
    if (!this.streams.has(stream)) return () => undefined;
    let repeat: NodeJS.Timeout | undefined;
    const first = this.timer(setTimeout, this.settings.holdMs, () => {
      this.notice(stream);
      repeat = this.timer(setInterval, this.settings.everyMs, () => this.notice(stream));
    });
    return () => {
      for (const timer of [first, repeat]) if (timer) this.clear(timer);
    };
  }

  /** The API throttled a request of `stream` (429): it is retried after `delayMs`, which Retry-After set when `fromRetryAfter`. */
  throttled(stream: string, delayMs: number, fromRetryAfter: boolean): void {
    if (delayMs < this.settings.holdMs || !this.streams.has(stream)) return;
    const quotaReset = fromRetryAfter ? Date.now() + delayMs : undefined;
    this.notice(stream, quotaReset);
    // Repeated while the wait lasts; the last repeat is at least a second before the retry goes out.
    const repeats = Math.floor((delayMs - 1_000) / this.settings.everyMs);
    for (let n = 1; n <= repeats; n++) {
      const once: NodeJS.Timeout = this.timer(setTimeout, n * this.settings.everyMs, () => {
        this.clear(once);
        this.notice(stream, quotaReset);
      });
    }
  }

  /** Ends the watch: holds still pending are not reported. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private timer(kind: typeof setTimeout | typeof setInterval, ms: number, fire: () => void): NodeJS.Timeout {
    const timer = kind(fire, ms);
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  private clear(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  private notice(stream: string, quotaReset?: number): void {
    const now = Date.now();
    const last = this.lastReport.get(stream);
    if (last !== undefined && now - last < this.settings.everyMs) return;
    this.lastReport.set(stream, now);
    this.report(stream, quotaReset);
  }
}
