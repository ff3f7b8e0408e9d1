import { AirbyteLogger } from 'faros-airbyte-cdk';

import { toInstant } from './dialect';
import { ListEnd, ListOrder, Rec } from './pagination';
import { NEWEST_FIRST } from './vendor';

/**
 * An incremental read that asks its lists newest first (`sort=created_desc`)
 * and stops each one after the page that reaches a record created before the
 * cursor: every record at or after the cursor, ties included, came before it.
 *
 * The order is believed only where the answers prove it, list by list (a
 * product's reviews, one side of a list filter): every record answered so far,
 * within pages and across page boundaries, no newer than the one before it,
 * at least one strictly older, since a single record or equal times look the
 * same sorted or not, and at least PROOF_RECORDS of them: a few records of an
 * unsorted list fall in order by chance (4 in 24 times), 8 about once in
 * 40,000, which only a page size below 8 could let decide. A record newer than the one before it (or without a
 * readable creation time) shows the server did not sort: that list is read to
 * its end and filtered client-side, as without the parameter, said once per
 * stream. A wrong guess can only cost requests: the client-side filter stays.
 */
export class NewestFirst implements ListOrder {
  readonly params = { [NEWEST_FIRST.param]: NEWEST_FIRST.value };
  private saidIgnored = false;
  private saidStopped = false;

  constructor(
    /** The earliest creation time the read emits (the state, else start_date). */
    readonly cutoff: number,
    readonly field: string,
    private readonly stream: string,
    private readonly logger: AirbyteLogger,
    /**
     * Whether the list may stop now: false while the events log named changes the list has not brought yet
     * (each would cost a request by id, more than the pages a whole read costs).
     */
    readonly mayStop: () => boolean
  ) {}

  newList(): ListEnd {
    return new NewestFirstList(this);
  }

  /** The server answered out of order: this list is read whole. */
  ignored(record: Rec): void {
    if (this.saidIgnored) return;
    this.saidIgnored = true;
    this.logger.info(
      `Stream '${this.stream}': the API did not answer ${NEWEST_FIRST.param}=${NEWEST_FIRST.value} newest first (record ${JSON.stringify(record.id ?? null)} is newer than the one before it, or has no creation time), so such a list is read whole and filtered here, as without it.`
    );
  }

  /** A list stopped at the cursor. */
  stopped(): void {
    if (this.saidStopped) return;
    this.saidStopped = true;
    this.logger.info(
      `Stream '${this.stream}': read newest first (${NEWEST_FIRST.param}=${NEWEST_FIRST.value}); a list proven sorted stops after the page that reaches a record created before ${new Date(this.cutoff).toISOString()}.`
    );
  }
}

/** How many records a list must have answered in order before its order is believed. */
export const PROOF_RECORDS = 8;

/** One list's proof of order, page by page. */
class NewestFirstList implements ListEnd {
  private last: number | undefined;
  private lastId: unknown;
  /** Records answered in order so far, each once. */
  private seen = 0;
  private descended = false;
  private unsorted = false;

  constructor(private readonly order: NewestFirst) {}

  reached(records: Rec[]): boolean {
    if (this.unsorted) return false;
    let older = false;
    for (const [i, record] of records.entries()) {
      // The paginator's overlap: the last record of the page before, again; it proves nothing twice.
      if (i === 0 && this.lastId !== undefined && record.id === this.lastId) continue;
      const at = toInstant(record[this.order.field]);
      if (at === undefined || (this.last !== undefined && at > this.last)) {
        this.unsorted = true;
        this.order.ignored(record);
        return false;
      }
      if (this.last !== undefined && at < this.last) this.descended = true;
      this.last = at;
      this.lastId = record.id;
      this.seen++;
      if (at < this.order.cutoff) older = true;
    }
    if (!older || !this.descended || this.seen < PROOF_RECORDS || !this.order.mayStop()) return false;
    this.order.stopped();
    return true;
  }
}
