import { PaginationError } from '../protocol';
import { PageCap } from './page-cap';

export type Rec = Record<string, any>;

export interface Page {
  records: Rec[];
  /** Size of the whole list, when the API says so. */
  total?: number;
  /** No total here, but a later page of the same read will carry one: no `/count` request for an estimate. */
  totalLater?: boolean;
  /**
   * A list filter's first side, another side to follow: a sorted position reached in it does not cover
   * the records of the sides still to read, so a checkpoint must not move past them (src/read/cursors.ts).
   */
  positionUnsafe?: boolean;
}

export type FetchPage = (offset: number, limit: number) => Promise<Page>;

/** Decides, page by page, that the rest of one list holds nothing the read wants. */
export interface ListEnd {
  /** Sees each answered page whole, in the server's order, once its new records were taken; true: ask no further page. */
  reached(records: Rec[]): boolean;
}

/**
 * An order a cursor asks a list in (src/read/newest-first.ts): the parameters
 * it adds to each request, and for each list read (one per product, one per
 * side of a list filter) its own end, since each list proves its order alone.
 */
export interface ListOrder {
  readonly params: Record<string, string>;
  newList(): ListEnd;
}

export interface PaginateOptions {
  pageSize: number;
  /** Primary key of a record, used to find the overlap between pages. */
  keyOf: (record: Rec) => unknown;
  /** Names the list in errors, e.g. "stream 'orders' (/v1/orders)". */
  what: string;
  /** The stream the list belongs to, for the error's stream descriptor. */
  stream: string;
  /** What the run knows about silent page caps, shared by every list of the run. */
  pageCap?: PageCap;
  /** Where the list may stop before its end (asked newest first and past the cursor); undefined: read to the end. */
  end?: ListEnd;
}

/** How many pages we walk back to find where a shifted list continues. */
const MAX_STEP_BACKS = 10;

/**
 * Keys yielded lately, oldest first, with the order they were yielded in:
 * bounded, so memory does not grow with the list.
 */
class RecentKeys {
  private keys: unknown[] = [];
  private stamps: number[] = [];
  private head = 0;
  private readonly stampOf = new Map<unknown, number>();
  private next = 0;

  constructor(private readonly capacity: number) {}

  has(key: unknown): boolean {
    return this.stampOf.has(key);
  }

  add(key: unknown): void {
    this.stampOf.set(key, this.next);
    this.keys.push(key);
    this.stamps.push(this.next++);
    if (this.keys.length - this.head > this.capacity) {
      const old = this.keys[this.head];
      // A key yielded again since keeps its later entry.
      if (this.stampOf.get(old) === this.stamps[this.head]) this.stampOf.delete(old);
      this.head++;
      if (this.head >= this.capacity) {
        this.keys = this.keys.slice(this.head);
        this.stamps = this.stamps.slice(this.head);
        this.head = 0;
      }
    }
  }
}

/**
 * The one offset paginator. Yields each page's records that were not yielded
 * before.
 *
 * Pages overlap by one record: after the first page, each request starts at the
 * last record already read and asks for one more than the page size. That costs
 * no extra request, and the repeated record shows whether the list moved between
 * two requests. The anchor is that exact record at its expected place, index 0:
 * - there: the list did not move before our offset; the rest of the page is new
 *   (minus records we already yielded that moved ahead of us);
 * - further down the page: records were inserted (or moved) before our offset;
 *   every record of the page we did not yield yet is yielded, so one that
 *   moved does not hide the unread records before it;
 * - not on the page: records before our offset were deleted (or moved away),
 *   so unread records may have slid behind the offset. We walk back a page at
 *   a time until a page holds the overlap record or starts with a record we
 *   yielded, and go on from there, skipping what we already yielded.
 * So every record present for the whole read is yielded, once.
 *
 * The list ends when the API's total is reached; without a total, on a page
 * shorter than asked for that is not a silent cap (see PageCap: a cap is
 * learned once per run and applies to every list after). A page identical to
 * the one before, a first page coming back at a later offset, or pages that
 * stop bringing anything new end in an error instead of a loop.
 */
export async function* paginate(fetch: FetchPage, opts: PaginateOptions): AsyncGenerator<Page> {
  const { pageSize, keyOf, what, stream } = opts;
  const pageCap = opts.pageCap ?? new PageCap();
  // Long enough to find our place again after walking back MAX_STEP_BACKS pages, and no longer.
  const recent = new RecentKeys((pageSize + 1) * (MAX_STEP_BACKS + 1));
  let offset = 0;
  let limit = pageSize;
  /** Key of the last record yielded from the previous page: expected at index 0 of the next one. */
  let overlapKey: unknown;
  let expectOverlap = false;
  let firstKey: unknown;
  let previousKeys: unknown[] = [];
  let stepBacks = 0;
  let stalls = 0;
  /** Set while this list is the run's probe: the size of the short page whose meaning it finds out. */
  let probingAfter: number | undefined;
  const fail = (message: string) => new PaginationError(message, stream);

  try {
    for (;;) {
      const page = await pageCap.request(() => fetch(offset, limit));
      const { records, total } = page;
      pageCap.served(records.length);
      const keys = records.map(keyOf);
      const restarted = offset > 0 && records.length > 1 && keys[0] === firstKey;
      if (records.length > 0 && (restarted || sameKeys(keys, previousKeys))) {
        throw fail(`The API returned the same page twice for ${what} (offsets ignored?): stopped instead of looping.`);
      }
      previousKeys = keys;
      if (offset === 0) firstKey = keys[0];

      if (probingAfter !== undefined) {
        // More than the overlap record after a short page: the server cut that page.
        const more = records.length > (expectOverlap ? 1 : 0);
        pageCap.probed(more ? probingAfter : undefined);
        probingAfter = undefined;
      }

      let from = 0;
      if (expectOverlap && offset > 0) {
        if (keys[0] === overlapKey) {
          from = 1;
          stepBacks = 0;
        } else if (keys.indexOf(overlapKey) < 0 && !(stepBacks > 0 && recent.has(keys[0]))) {
          // Our place is not on this page: records before the offset went away.
          if (++stepBacks > MAX_STEP_BACKS) throw fail(`${what} changed too much while it was being read; run the sync again.`);
          offset = Math.max(0, offset - pageSize);
          limit = pageSize + 1;
          continue;
        } else {
          stepBacks = 0;
        }
      }
      const fresh: Rec[] = [];
      for (let i = from; i < records.length; i++) if (!recent.has(keys[i])) fresh.push(records[i]);
      if (fresh.length > 0) {
        for (const r of fresh) recent.add(keyOf(r));
        yield { records: fresh, total };
      }

      if (records.length === 0) return;
      // Asked after the yield: the reader has taken this page's records when the end decides.
      if (opts.end?.reached(records)) return;
      if (total !== undefined) {
        if (offset + records.length >= total) return;
      } else if (records.length < limit) {
        const verdict = await pageCap.shortPage(records.length, limit);
        if (verdict === 'end') return;
        if (verdict === 'probe') probingAfter = records.length;
      }

      stalls = fresh.length === 0 ? stalls + 1 : 0;
      if (stalls >= 2) throw fail(`Pagination of ${what} stopped advancing at offset ${offset}: stopped instead of looping.`);
      // Overlap by one record when a page holds more than one; a server capping
      // pages at one record would otherwise never advance.
      expectOverlap = records.length > 1;
      overlapKey = keys[keys.length - 1];
      offset += expectOverlap ? records.length - 1 : records.length;
      limit = expectOverlap ? pageSize + 1 : pageSize;
    }
  } finally {
    // A list stopped mid-probe (error, or its reader gone) must not leave the other lists waiting.
    if (probingAfter !== undefined) pageCap.probed(undefined);
  }
}

function sameKeys(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
