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
 * least `holdMs` — and reports it at most once per `everyMs` per stream, so that
 * a platform can show the stream as rate limited (STREAM_STATUS RUNNING, reason
 * RATE_LIMITED) instead of as stuck. Airbyte's platform shows the stream as
 * running again at its next record, so no "no longer limited" message is needed.
 * Only the streams given are reported: a request made for another reason (the
 * product list read for child streams, the connection check) belongs to no
 * stream the platform knows of.
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
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.notice(stream);
    }, this.settings.holdMs);
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** The API throttled a request of `stream` (429): it is retried after `delayMs`, which Retry-After set when `fromRetryAfter`. */
  throttled(stream: string, delayMs: number, fromRetryAfter: boolean): void {
    if (delayMs < this.settings.holdMs) return;
    this.notice(stream, fromRetryAfter ? Date.now() + delayMs : undefined);
  }

  /** Ends the watch: holds still pending are not reported. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private notice(stream: string, quotaReset?: number): void {
    if (!this.streams.has(stream)) return;
    const now = Date.now();
    const last = this.lastReport.get(stream);
    if (last !== undefined && now - last < this.settings.everyMs) return;
    this.lastReport.set(stream, now);
    this.report(stream, quotaReset);
  }
}
