import { PaginationError } from './errors';

export type Rec = Record<string, any>;

export interface Page {
  records: Rec[];
  /** Size of the whole list, when the API says so. */
  total?: number;
}

export type FetchPage = (offset: number, limit: number) => Promise<Page>;

export interface PaginateOptions {
  pageSize: number;
  /** Primary key of a record, used to find the overlap between pages. */
  keyOf: (record: Rec) => unknown;
  /** Names the list in errors, e.g. "stream 'orders' (/v1/orders)". */
  what: string;
  /** The stream the list belongs to, for the error's stream descriptor. */
  stream: string;
}

/** How many pages we walk back to find where a shifted list continues. */
const MAX_STEP_BACKS = 10;

/**
 * The one offset paginator. Yields each page's records that were not yielded
 * before.
 *
 * Pages overlap by one record: after the first page, each request starts at the
 * last record already read and asks for one more than the page size. That costs
 * no extra request, and the repeated record tells us whether the list shifted
 * between two requests (records inserted or deleted before our offset). When it
 * did, we walk back a page at a time to the last record we yielded and go on
 * from there, skipping what we already yielded; so every record present for the
 * whole read is yielded, once.
 *
 * The list ends when the API's total is reached, or, without a total, on a page
 * shorter than asked for. A page identical to the one before, or pages that
 * stop bringing anything new, end in an error instead of a loop.
 */
export async function* paginate(fetch: FetchPage, opts: PaginateOptions): AsyncGenerator<Page> {
  const { pageSize, keyOf, what, stream } = opts;
  // Keys yielded last, oldest first: the overlap we look for. Long enough to find
  // our place again after walking back MAX_STEP_BACKS pages, and no longer.
  const windowSize = (pageSize + 1) * (MAX_STEP_BACKS + 1);
  let recent: unknown[] = [];
  let offset = 0;
  let limit = pageSize;
  let expectOverlap = false;
  let firstKey: unknown;
  let previousSignature: string | undefined;
  let stepBacks = 0;
  let stalls = 0;
  const fail = (message: string) => new PaginationError(message, stream);

  for (;;) {
    const page = await fetch(offset, limit);
    const { records, total } = page;
    const keys = records.map(keyOf);
    const signature = JSON.stringify(keys);
    const restarted = offset > 0 && records.length > 1 && keys[0] === firstKey;
    if (records.length > 0 && (signature === previousSignature || restarted)) {
      throw fail(`The API returned the same page twice for ${what} (offsets ignored?): stopped instead of looping.`);
    }
    previousSignature = signature;
    if (offset === 0) firstKey = keys[0];

    const seen = new Set(recent);
    let fresh = records.filter((_, i) => !seen.has(keys[i]));
    if (expectOverlap) {
      const anchor = lastIndexWhere(keys, (k) => seen.has(k));
      if (anchor === -1 && offset > 0) {
        // Nothing we yielded is where it was: the list shrank before our offset.
        if (++stepBacks > MAX_STEP_BACKS) throw fail(`${what} changed too much while it was being read; run the sync again.`);
        offset = Math.max(0, offset - pageSize);
        limit = pageSize + 1;
        continue;
      }
      stepBacks = 0;
      fresh = records.slice(anchor + 1).filter((_, i) => !seen.has(keys[anchor + 1 + i]));
    }
    if (fresh.length > 0) {
      yield { records: fresh, total };
      recent = recent.concat(fresh.map(keyOf)).slice(-windowSize);
    }

    const capSuspect = expectOverlap && records.length === pageSize && limit > pageSize;
    const end = total !== undefined ? offset + records.length >= total : records.length < limit && !capSuspect;
    if (end || records.length === 0) return;

    stalls = fresh.length === 0 ? stalls + 1 : 0;
    if (stalls >= 2) throw fail(`Pagination of ${what} stopped advancing at offset ${offset}: stopped instead of looping.`);
    // Overlap by one record when a page holds more than one; a server capping
    // pages at one record would otherwise never advance.
    expectOverlap = records.length > 1;
    offset += expectOverlap ? records.length - 1 : records.length;
    limit = expectOverlap ? pageSize + 1 : pageSize;
  }
}

function lastIndexWhere<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i])) return i;
  return -1;
}
