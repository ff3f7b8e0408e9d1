import { AirbyteLogger } from 'faros-airbyte-cdk';

import { RequestStats } from '../http';
import type { Size } from './product-list';

const LOG_EVERY_MS = 10_000;

/** Counts one stream's work and logs it at a steady cadence, never per record. */
export class StreamProgress {
  records = 0;
  pages = 0;
  private slices = 0;
  /** Slices a resumed full refresh skips: done by the sync that stopped. */
  private slicesBefore?: number;
  /** The list's size where the API or a count said it (the stream's ESTIMATE): shown as the total. */
  expected?: number;
  /** A `/count` of the slices, for while `sliceCount` knows none. */
  slicesEstimated?: number;
  private readonly startedAt = Date.now();
  private lastLogAt = Date.now();

  constructor(
    private readonly stream: string,
    private readonly requests: RequestStats,
    private readonly logger: AirbyteLogger,
    /** What one slice is (`product`); undefined: the stream is one list, and slices are not counted. */
    private readonly unit?: string,
    /** How many slices there are, as known at the moment of asking. */
    private readonly sliceCount?: () => Size | undefined
  ) {}

  /** Slice `seq` (numbered in list order, a resumed run's first one after those it skips) starts. */
  sliceStarts(seq: number): void {
    this.slicesBefore ??= seq;
  }

  sliceDone(): void {
    this.slices++;
  }

  pageDone(): void {
    this.pages++;
    if (Date.now() - this.lastLogAt >= LOG_EVERY_MS) {
      this.lastLogAt = Date.now();
      this.logger.info(`Stream '${this.stream}' in progress: ${this.describe()}.`);
    }
  }

  summary(): string {
    return `Stream '${this.stream}' finished: ${this.describe()}.`;
  }

  describe(): string {
    const r = this.requests;
    const parts = [
      this.expected === undefined ? count(this.records, 'record') : `${this.records} of about ${count(this.expected, 'record')} listed`,
      count(this.pages, 'page'),
      ...(this.unit ? [this.slicesDone(this.unit)] : []),
      `${count(r.requests, 'request')} (${count(r.retries, 'retry', 'retries')}, ${r.throttled} throttled, ` +
        `${seconds(r.waitedMs)} queued for the rate limit in total)`,
      `${seconds(Date.now() - this.startedAt)} elapsed`,
    ];
    return parts.join(', ');
  }

  /** `13 of 60 products`: the total exact once the list was read, `about` while it is an estimate, and never invented. */
  private slicesDone(unit: string): string {
    const before = this.slicesBefore ?? 0;
    const done = before + this.slices;
    const size = this.sliceCount?.() ?? (this.slicesEstimated === undefined ? undefined : { count: this.slicesEstimated, exact: false });
    const resumed = before ? ` (${before} done by the sync that stopped)` : '';
    if (!size) return `${count(done, unit)}${resumed}, how many in all not known yet`;
    return `${done} of ${size.exact ? '' : 'about '}${count(size.count, unit)}${resumed}`;
  }
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
