import { VENDOR_PAGE_CAP } from './vendor';

/** What a short page without a total means for the list it came from. */
export type ShortPage = 'end' | 'capped' | 'probe';

/**
 * What one run has learned about the largest page the API serves, shared by
 * every list the run reads.
 *
 * Without a total, a page shorter than asked for is either the end of its list
 * or a page the server cut silently. The run tells them apart from evidence:
 * a page of n records shows the server serves at least n, so a shorter page
 * than any served before is an end; a short page followed by more records
 * proves a cap, and every list after reads on through pages of that size.
 * When the evidence cannot decide, a list waits for the requests of other
 * lists already on their way (their answers may decide it), and only then
 * reads one page further itself: the probe. One probe at a time in the run;
 * a list that would probe while another does waits for its outcome.
 *
 * The bound is not one probe per run: it is one per short page that is at
 * least as long as every page the run has served before it, until the run has
 * served a full page after a first one (page_size + 1 records, pages overlap
 * by one) or proven a cap: after either, no list probes. A probe that finds the end of its list proves nothing for the next
 * list that stops at the same length: a list of exactly n records and one cut
 * at n look the same, so each such list pays its probe rather than risk its
 * records. On a shop whose lists are longer than a page the first full page
 * ends the probing; lists all shorter than the pages served never probe.
 * Tested in test/guarantees/probe-bound.test.ts.
 */
export class PageCap {
  /** The largest page served so far: the server serves at least this many. */
  private largestServed = 0;
  /** Proven by a short page followed by more records. */
  private cap?: number;
  private probing = false;
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  /** Probes sent in this run (for tests and the log). */
  probes = 0;

  constructor(private readonly onLearned: (message: string) => void = () => {}) {}

  /** Logs once when page_size is more than the vendor serves; the size is still asked for, in case this server serves more. */
  static forRun(pageSize: number, logger: { warn(m: string): void; info(m: string): void }): PageCap {
    if (pageSize > VENDOR_PAGE_CAP) {
      logger.warn(
        `page_size ${pageSize} is more than the ${VENDOR_PAGE_CAP} records per page a live shop is known to serve: pages will likely come back capped at ${VENDOR_PAGE_CAP}, which the connector detects and reads on (no records are lost; it costs a probe request per short list until the cap is proven, usually one).`
      );
    }
    return new PageCap((m) => logger.info(m));
  }

  /** The cap proven in this run, if any. */
  get proven(): number | undefined {
    return this.cap;
  }

  /** Runs one page request, counted so that undecided lists know whether more evidence is on its way. */
  async request<T>(fetch: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await fetch();
    } finally {
      this.inFlight--;
      this.wake();
    }
  }

  /** Every answered page, so its size counts as evidence. */
  served(records: number): void {
    if (records > this.largestServed) {
      this.largestServed = records;
      this.wake();
    }
  }

  /**
   * A page of `records` (asked for `limit`) without a total: is it the end of
   * its list? 'probe' makes the caller the run's prober: it must read the next
   * page and report with probed().
   */
  async shortPage(records: number, limit: number): Promise<ShortPage> {
    for (;;) {
      if (records >= limit) return 'capped';
      if (this.cap !== undefined) return records >= this.cap ? 'capped' : 'end';
      if (records < this.largestServed) return 'end';
      if (!this.probing && this.inFlight === 0) {
        this.probing = true;
        this.probes++;
        return 'probe';
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The probe's outcome: the short page's size when more records followed it (a cap), undefined when the list really ended. */
  probed(cappedAt: number | undefined): void {
    this.probing = false;
    if (cappedAt !== undefined && (this.cap === undefined || cappedAt < this.cap)) {
      this.cap = cappedAt;
      this.onLearned(`The API serves at most ${cappedAt} records per page, fewer than asked for, without saying so: every list is read on past pages of that size.`);
    }
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiters.splice(0);
    for (const resolve of waiting) resolve();
  }
}
