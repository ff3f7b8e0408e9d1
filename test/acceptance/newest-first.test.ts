/**
 * Issue 30: incremental reads of customers, categories, pages, themes and each
 * product's reviews ask `sort=created_desc` (their reference files) and stop
 * after the page that reaches a record older than the cursor, where the answers
 * prove the order; a server that ignores it costs what it cost before and loses
 * nothing. Requests counted at the sandbox; bin/main as its own process, both dialects.
 */
import { Run, lastStates, records } from '../helpers/connector';
import { Rec, Resources, logs, read, statesOf, testConfig } from '../helpers/guarantees';
import { truthOf } from '../../scripts/truth-check';
import type { Sandbox } from '../../sandbox/server';

jest.setTimeout(180_000);

const res = new Resources();
afterEach(() => res.closeAll());

const TOP = ['customers', 'categories', 'pages', 'themes'] as const;
const STREAMS = [...TOP, 'products_reviews'] as const;
/**
 * Small pages, so that the longer lists (customers' sides, categories, pages, a product's 45 reviews) span
 * several, yet not below the 8 records in order that prove a list sorted (smaller pages: test/read/newest-first.test.ts).
 */
const PAGE = 10;

const DIALECTS = [
  { name: 'documented', vendor: false, extra: { page_size: PAGE } },
  { name: 'vendor', vendor: true, extra: { page_size: PAGE, page_size_parameter: 'count' } },
] as const;

const createdOf = (r: Rec) => Date.parse(r.created_at_utc ?? r.createdAt);
const cursorOf = (run: Run, stream: string) => Date.parse(statesOf(run, stream).at(-1)!.created_at_utc);
const ids = (recs: Rec[]) => recs.map((r) => r.id).sort((a, b) => a - b);
const emittedIds = (run: Run, stream: string) => ids(records(run, stream));

type Shop = Record<string, Rec[]>;

/** The shop's records of a stream created at or after the instant: what an incremental read from it must emit. */
function atOrAfter(shop: Shop, stream: string, since: number): number[] {
  return ids(shop[stream].filter((r) => createdOf(r) >= since));
}

/**
 * The list requests a newest-first read costs, page by page as the connector pages (the first page PAGE
 * records, each later one overlapping the last by one): it stops after the page that holds a record older
 * than the cursor once the records so far are proven newest first (one strictly older than another: equal
 * times prove nothing), or at the list's end (the total where answers carry one, else a short page).
 */
function newestFirstPages(newestFirst: Rec[], since: number, withTotal: boolean): number {
  let offset = 0;
  let limit = PAGE;
  let requests = 0;
  let last: number | undefined;
  let descended = false;
  // The order is believed once 8 distinct records came in order (src/read/newest-first.ts PROOF_RECORDS).
  const seen = new Set<unknown>();
  for (;;) {
    requests++;
    const page = newestFirst.slice(offset, offset + limit);
    if (page.length === 0) return requests;
    let older = false;
    for (const r of page) {
      const at = createdOf(r);
      if (last !== undefined && at < last) descended = true;
      last = at;
      seen.add(r.id);
      if (at < since) older = true;
    }
    if (older && descended && seen.size >= 8) return requests;
    if (withTotal ? offset + page.length >= newestFirst.length : page.length < limit) return requests;
    offset += page.length > 1 ? page.length - 1 : page.length;
    limit = page.length > 1 ? PAGE + 1 : PAGE;
  }
}

const newestFirstOrder = (list: Rec[]) => [...list].sort((a, b) => createdOf(b) - createdOf(a));

/** The lists each stream is read as: customers as its two `trade` sides (trade=1 first), others as one. */
function listsOf(sandbox: Sandbox, stream: string): Rec[][] {
  const all = truthOf(sandbox).streams[stream] as Rec[];
  return stream === 'customers' ? [all.filter((c) => c.trade === true), all.filter((c) => c.trade !== true)] : [all];
}

/** Every product's reviews (an empty list for a product without any). */
function reviewsByProduct(sandbox: Sandbox): Map<number, Rec[]> {
  const { streams, parents } = truthOf(sandbox);
  const byProduct = new Map<number, Rec[]>((streams.products as Rec[]).map((p) => [p.id, []]));
  for (const review of streams.products_reviews as Rec[]) byProduct.get(parents.products_reviews[String(review.id)])!.push(review);
  return byProduct;
}

/** The product with the most reviews (45: several pages). */
function busiestProduct(sandbox: Sandbox): number {
  return [...reviewsByProduct(sandbox).entries()].sort((a, b) => b[1].length - a[1].length)[0][0];
}

describe.each(DIALECTS)('$name dialect', ({ vendor, extra }) => {
  /**
   * Three incremental syncs of the five streams: the first reads everything; then 3 new records in each
   * list (3 new reviews on the product with the most), the second; then 2 more in each top-level list
   * and none in reviews, the third, whose cursor sits on the 3 records of the second (ties).
   */
  async function threeSyncs(createdSort: boolean) {
    const sandbox = await res.sandbox({ vendor });
    sandbox.updateSettings({ createdSort });
    const cfg = testConfig(sandbox.url, extra);
    const first = await read(cfg, { streams: [...STREAMS], mode: 'incremental' });
    expect(first.code).toBe(0);
    const product = busiestProduct(sandbox);
    for (const stream of TOP) sandbox.mutate({ op: 'insert', resource: stream, count: 3 });
    sandbox.mutate({ op: 'insert', resource: 'products_reviews', count: 3, product_id: product });
    const shops: Shop[] = [truthOf(sandbox).streams];
    sandbox.resetCounters();
    const second = await read(cfg, { streams: [...STREAMS], mode: 'incremental', state: lastStates(first) });
    expect(second.code).toBe(0);
    for (const stream of TOP) sandbox.mutate({ op: 'insert', resource: stream, count: 2 });
    shops.push(truthOf(sandbox).streams);
    sandbox.resetCounters();
    const third = await read(cfg, { streams: [...STREAMS], mode: 'incremental', state: lastStates(second) });
    expect(third.code).toBe(0);
    return { sandbox, cfg, shops, first, second, third, counters: sandbox.counters() };
  }

  /** Each sync emitted exactly the records created at or after its starting cursor: the new ones and the ties at it. */
  function expectExactlyTheNew(shops: Shop[], runs: Run[]) {
    for (const stream of STREAMS) {
      for (let i = 1; i < runs.length; i++) {
        const since = cursorOf(runs[i - 1], stream);
        expect({ stream, sync: i, ids: emittedIds(runs[i], stream) }).toEqual({ stream, sync: i, ids: atOrAfter(shops[i - 1], stream, since) });
      }
    }
  }

  it('sort honoured: each list stops after the page that reaches a record older than the cursor; exactly the new records and the ties at the cursor arrive; one reviews request per product, even for 45 reviews', async () => {
    const { sandbox, shops, first, second, third, counters } = await threeSyncs(true);
    expectExactlyTheNew(shops, [first, second, third]);
    // The third sync's cursor has ties: the 3 records the second brought, read again.
    for (const stream of TOP) expect(emittedIds(third, stream)).toHaveLength(5);
    expect(emittedIds(third, 'products_reviews')).toHaveLength(3);

    const since = (stream: string) => cursorOf(second, stream);
    for (const stream of TOP) {
      const expected = listsOf(sandbox, stream).reduce((sum, list) => sum + newestFirstPages(newestFirstOrder(list), since(stream), !vendor), 0);
      expect({ stream, requests: counters.byResource[stream] }).toEqual({ stream, requests: expected });
    }
    // Nothing new in reviews: a product's list stops after its first page, the product with 45 reviews (12 pages
    // read whole) included; only a first page of reviews that all share one creation time proves no order.
    const reviews = reviewsByProduct(sandbox);
    const perProduct = [...reviews.values()].map((list) => newestFirstPages(newestFirstOrder(list), since('products_reviews'), !vendor));
    expect(newestFirstPages(newestFirstOrder(reviews.get(busiestProduct(sandbox))!), since('products_reviews'), !vendor)).toBe(1);
    expect(counters.byResource.products_reviews).toBe(perProduct.reduce((a, b) => a + b, 0));
    expect(counters.byResource.products_reviews).toBeLessThan(reviews.size + 3);
    for (const stream of STREAMS) expect(logs(third).filter((l) => l.startsWith(`Stream '${stream}': read newest first`))).toHaveLength(1);
  });

  it('sort ignored: every new record and tie arrives, the lists are read whole (requests equal a read without the sort), said once per stream', async () => {
    const { sandbox, cfg, shops, first, second, third, counters } = await threeSyncs(false);
    expectExactlyTheNew(shops, [first, second, third]);
    sandbox.resetCounters();
    // A full refresh never asks the sort: what an incremental read of these lists cost before.
    const whole = await read(cfg, { streams: [...STREAMS] });
    expect(whole.code).toBe(0);
    for (const stream of STREAMS) {
      expect({ stream, requests: counters.byResource[stream] }).toEqual({ stream, requests: sandbox.counters().byResource[stream] });
      expect(logs(third).filter((l) => l.startsWith(`Stream '${stream}': the API did not answer sort=created_desc newest first`))).toHaveLength(1);
    }
    expect(counters.counts).toBe(sandbox.counters().counts);
  });

  it('customers: an old customer the events log names is brought by the list, which reads on until it has it, never by a request by id; the new customer arrives', async () => {
    const sandbox = await res.sandbox({ vendor });
    const cfg = testConfig(sandbox.url, extra);
    const first = await read(cfg, { streams: ['customers'], mode: 'incremental' });
    expect(first.code).toBe(0);
    const old = (truthOf(sandbox).streams.customers as Rec[]).filter((c) => c.trade !== true)[5];
    sandbox.mutate({ op: 'update', resource: 'customers', ids: [old.id] });
    const added = sandbox.mutate({ op: 'insert', resource: 'customers', count: 1 }).inserted.customers!;
    sandbox.resetCounters();
    const second = await read(cfg, { streams: ['customers'], mode: 'incremental', state: lastStates(first) });
    expect(second.code).toBe(0);
    const truth = truthOf(sandbox).streams.customers as Rec[];
    expect(records(second, 'customers').find((c) => c.id === old.id)).toMatchObject(truth.find((c) => c.id === old.id)!);
    expect(emittedIds(second, 'customers')).toEqual(expect.arrayContaining(added as number[]));
    expect(sandbox.counters().singleRecord.customers ?? 0).toBe(0);
  });
});
