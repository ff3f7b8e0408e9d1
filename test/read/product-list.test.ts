import { EmbeddedChildren } from '../../src/read/embedded-children';
import { AirbyteLogger } from 'faros-airbyte-cdk';

import { ConfigError } from '../../src/protocol/errors';
import { HEARTBEAT_MS } from '../../src/read/heartbeat';
import { Page, Rec } from '../../src/read/pagination';
import { HELD_PRODUCTS, ProductList, ProductListSource, STALL_MS } from '../../src/read/product-list';
import { StreamContext } from '../../src/streams/base';
import { ProductOptions } from '../../src/streams/product-options';
import { ProductsImages } from '../../src/streams/products-images';
import { ProductsReviews } from '../../src/streams/products-reviews';

/** A list source over fixed pages, optionally failing after them; counts how often it was read. */
function source(pages: Page[], opts: { failWith?: unknown; serverTime?: number } = {}) {
  const reads = { n: 0 };
  const src: ProductListSource = {
    async *pages() {
      reads.n++;
      for (const page of pages) yield page;
      if (opts.failWith) throw opts.failWith;
    },
    serverTime: () => opts.serverTime,
  };
  return { src, reads };
}

const PAGES: Page[] = [{ records: [{ id: 1 }, { id: 2 }] }, { records: [{ id: 'x3' }] }];

describe('ProductList', () => {
  it("size(): the list's total while it is read (an estimate), the ids counted once it was read to the end, nothing when neither is known", async () => {
    const withTotal = new ProductList(source([{ records: [{ id: 1 }, { id: 2 }], total: 5 }, { records: [{ id: 3 }] }]).src);
    expect(withTotal.size()).toBeUndefined();
    const followed: unknown[] = [];
    for await (const id of withTotal.listed()) {
      followed.push([id, withTotal.size()]);
    }
    expect(followed[0]).toEqual([1, { count: 5, exact: false }]);
    expect(withTotal.size()).toEqual({ count: 3, exact: true });
    const without = new ProductList(source(PAGES).src);
    const first = without.listed();
    await first.next();
    expect(without.size()).toBeUndefined();
    await without.productIds();
    expect(without.size()).toEqual({ count: 3, exact: true });
  });

  it("the ids-only read's heartbeat gives the list's total beside the products listed", async () => {
    jest.useFakeTimers();
    try {
      const lines: string[] = [];
      const logger = { info: (line: string) => lines.push(line) } as unknown as AirbyteLogger;
      const src: ProductListSource = {
        async *pages() {
          yield { records: [{ id: 1 }, { id: 2 }], total: 60 };
          await new Promise(() => undefined); // the next page never comes
        },
        serverTime: () => undefined,
      };
      void new ProductList(src, undefined, logger).productIds();
      await jest.advanceTimersByTimeAsync(HEARTBEAT_MS);
      expect(lines).toEqual([expect.stringContaining('reading the products list for the per-product streams: 2 of about 60 products listed so far')]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('reserved for the emitting stream: children wait for its pages, then get every id; the list is read once', async () => {
    const { src, reads } = source(PAGES);
    const catalog = new ProductList(src);
    const read = catalog.reserve();
    const waiting = [catalog.productIds(), catalog.productIds()];
    const emitted: unknown[] = [];
    for await (const page of read.pages()) emitted.push(...page.records.map((r) => r.id));
    read.end();
    expect(emitted).toEqual([1, 2, 'x3']);
    for (const ids of await Promise.all(waiting)) expect(ids).toEqual([1, 2, 'x3']);
    expect(reads.n).toBe(1);
  });

  it('the emitting stream failing before its first page (a bad state) releases every waiter, present and later, with that failure', async () => {
    const { src, reads } = source(PAGES);
    const catalog = new ProductList(src);
    const read = catalog.reserve();
    const early = catalog.productIds();
    const bad = new ConfigError("The saved state of stream 'products' has \"soon\"");
    read.end(bad);
    await expect(early).rejects.toBe(bad);
    await expect(catalog.productIds()).rejects.toBe(bad);
    expect(reads.n).toBe(0); // no second, ids-only read behind the failed stream's back
  });

  it('a list that fails mid-way rejects every waiter with the read\'s own error, once settled it stays so', async () => {
    const boom = new Error('HTTP 500 for good');
    const { src } = source(PAGES, { failWith: boom });
    const catalog = new ProductList(src);
    const waiters = [catalog.productIds(), catalog.productIds()];
    for (const w of waiters) await expect(w).rejects.toBe(boom);
  });

  it('an emitting stream that stops consuming early (its own failure) releases the waiters', async () => {
    const { src } = source(PAGES);
    const catalog = new ProductList(src);
    const read = catalog.reserve();
    const waiting = catalog.productIds();
    for await (const _page of read.pages()) break;
    await expect(waiting).rejects.toThrow(/not read to the end/);
  });

  it('without an emitting stream, the first productIds() reads ids only, once; listedAt is the server clock, or the local one without it', async () => {
    const withDate = source(PAGES, { serverTime: Date.UTC(2024, 0, 1) });
    const a = new ProductList(withDate.src);
    expect(a.listedAt()).toBeUndefined();
    expect(await Promise.all([a.productIds(), a.productIds()])).toEqual([[1, 2, 'x3'], [1, 2, 'x3']]);
    expect(withDate.reads.n).toBe(1);
    expect(a.listedAt()).toBe(Date.UTC(2024, 0, 1));

    const before = Date.now();
    const b = new ProductList(source(PAGES).src);
    await b.productIds();
    expect(b.listedAt()).toBeGreaterThanOrEqual(before);
    expect(b.listedAt()).toBeLessThanOrEqual(Date.now());
  });
});

/** A list source whose pages each wait for their gate to open: the test decides how far the list is read. */
function gatedSource(pages: Page[], opts: { failAfter?: number; failWith?: unknown } = {}) {
  const gates = pages.map(() => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { opened, open };
  });
  const reads = { n: 0, pagesAsked: 0 };
  const src: ProductListSource = {
    async *pages() {
      reads.n++;
      for (let i = 0; i < pages.length; i++) {
        if (i === opts.failAfter) throw opts.failWith;
        reads.pagesAsked++;
        await gates[i].opened;
        yield pages[i];
      }
    },
    serverTime: () => undefined,
  };
  return { src, gates, reads };
}

/** Settles the promise within a few turns of the event loop, or reports it still pending. */
async function settledSoon<T>(promise: Promise<T>): Promise<{ value: T } | 'pending'> {
  const pending = new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 20));
  return Promise.race([promise.then((value) => ({ value })), pending]);
}

/** The products stream of a sync: reads its reserved pages to the end in the background. */
function emitInBackground(catalog: ProductList) {
  const read = catalog.reserve();
  const emitted: Rec[] = [];
  const done = (async () => {
    try {
      for await (const page of read.pages()) emitted.push(...page.records);
      read.end();
    } catch (error) {
      read.end(error);
    }
  })();
  return { emitted, done };
}

describe('ProductList.listed(): following the list as it is read', () => {
  it('hands out a page\'s ids while the next page is still being read, in list order, and ends with the list', async () => {
    const { src, gates } = gatedSource(PAGES);
    const catalog = new ProductList(src);
    const { done } = emitInBackground(catalog);
    const follower = catalog.listed();
    gates[0].open();
    expect(await settledSoon(follower.next())).toEqual({ value: { value: 1, done: false } });
    expect(await follower.next()).toEqual({ value: 2, done: false });
    const third = follower.next();
    expect(await settledSoon(third)).toBe('pending'); // page 2 is not served yet
    gates[1].open();
    expect(await third).toEqual({ value: 'x3', done: false });
    expect(await follower.next()).toEqual({ value: undefined, done: true });
    await done;
  });

  it('without an emitting stream, listed() and productIds() share one ids-only read', async () => {
    const { src, gates, reads } = gatedSource(PAGES);
    const catalog = new ProductList(src);
    const follower = catalog.listed();
    const all = catalog.productIds();
    gates[0].open();
    gates[1].open();
    const ids: unknown[] = [];
    for await (const id of follower) ids.push(id);
    expect(ids).toEqual([1, 2, 'x3']);
    expect(await all).toEqual([1, 2, 'x3']);
    expect(reads.n).toBe(1);
  });

  it('a list that fails mid-way: the follower gets the ids read before, then the read\'s own error', async () => {
    const boom = new Error('HTTP 500 for good');
    const { src, gates } = gatedSource(PAGES, { failAfter: 1, failWith: boom });
    const catalog = new ProductList(src);
    emitInBackground(catalog);
    gates[0].open();
    const ids: unknown[] = [];
    await expect(
      (async () => {
        for await (const id of catalog.listed()) ids.push(id);
      })()
    ).rejects.toBe(boom);
    expect(ids).toEqual([1, 2]);
  });

  it('an emitting stream that fails before its first page: a follower waiting for ids gets that failure', async () => {
    const { src, reads } = gatedSource(PAGES);
    const catalog = new ProductList(src);
    const read = catalog.reserve();
    const waiting = catalog.listed().next();
    const bad = new ConfigError("The saved state of stream 'products' has \"soon\"");
    read.end(bad);
    await expect(waiting).rejects.toBe(bad);
    expect(reads.n).toBe(0);
  });
});

describe('Child streams\' slices from a list still being read', () => {
  // Product 1 holds the longest array seen (it may be cut: read from its list); shorter ones are whole.
  const withImages: Page[] = [
    { records: [{ id: 1, images: [{ id: 11 }, { id: 12 }] }, { id: 2, images: [] }] },
    { records: [{ id: 3, images: [{ id: 31 }] }] },
  ];
  const context = (catalog: ProductList) => ({ products: catalog }) as unknown as StreamContext;

  it('a stream whose records the list embeds takes each product\'s array before the list\'s next page is read', async () => {
    const { src, gates } = gatedSource(withImages);
    const catalog = new ProductList(src, new EmbeddedChildren(['images']));
    const { emitted, done } = emitInBackground(catalog);
    const slices = new ProductsImages(context(catalog)).slices();
    gates[0].open();
    expect(await settledSoon(slices.next())).toEqual({ value: { value: { prd_id: 1, embedded: undefined }, done: false } });
    expect(await slices.next()).toEqual({ value: { prd_id: 2, embedded: [] }, done: false });
    expect(catalog.embedded!.take('images', 1)).toBeUndefined(); // handed over, not kept
    gates[1].open();
    expect(await slices.next()).toEqual({ value: { prd_id: 3, embedded: [{ id: 31 }] }, done: false });
    expect((await slices.next()).done).toBe(true);
    await done;
    expect(emitted.map((p) => p.images)).toEqual([undefined, undefined, undefined]); // products are emitted without them
  });

  it('a stream that needs a request per product (reviews; images when nothing is embedded; options the list leaves out) waits for the whole list', async () => {
    for (const [stream, embedded] of [
      [ProductsReviews, new EmbeddedChildren(['images'])],
      [ProductsImages, undefined],
      [ProductOptions, new EmbeddedChildren(['images', 'options'])],
    ] as const) {
      const { src, gates } = gatedSource(PAGES);
      const catalog = new ProductList(src, embedded);
      emitInBackground(catalog);
      const first = new stream(context(catalog)).slices().next();
      gates[0].open();
      expect(await settledSoon(first)).toBe('pending');
      gates[1].open();
      expect(await first).toEqual({ value: { prd_id: 1, embedded: undefined }, done: false });
    }
  });

  it('a stream the list stops embedding for mid-way follows it up to there, then waits for the whole list, still taking the arrays that came', async () => {
    const { src, gates } = gatedSource([
      { records: [{ id: 1, options: [{ id: 11 }, { id: 12 }] }, { id: 2, options: [] }] },
      { records: [{ id: 3 }] },
      { records: [{ id: 4, options: [{ id: 41 }] }] },
    ]);
    const catalog = new ProductList(src, new EmbeddedChildren(['options']));
    emitInBackground(catalog);
    const slices = new ProductOptions(context(catalog)).slices();
    gates[0].open();
    expect(await settledSoon(slices.next())).toEqual({ value: { value: { prd_id: 1, embedded: undefined }, done: false } });
    expect(await slices.next()).toEqual({ value: { prd_id: 2, embedded: [] }, done: false });
    gates[1].open();
    const third = slices.next();
    expect(await settledSoon(third)).toBe('pending');
    gates[2].open();
    expect(await third).toEqual({ value: { prd_id: 3, embedded: undefined }, done: false });
    expect(await slices.next()).toEqual({ value: { prd_id: 4, embedded: [{ id: 41 }] }, done: false });
    expect((await slices.next()).done).toBe(true);
  });
});

describe('ProductList with embedded children: the list runs at most HELD_PRODUCTS ahead of the streams that take them', () => {
  afterEach(() => jest.useRealTimers());

  /** Pages of 20 products with one embedded image each; counts the pages asked for. */
  function embeddingSource(pageCount: number) {
    const asked = { n: 0 };
    const src: ProductListSource = {
      async *pages() {
        for (let p = 0; p < pageCount; p++) {
          asked.n++;
          yield { records: Array.from({ length: 20 }, (_, i) => ({ id: p * 20 + i + 1, images: [{ id: 1000 + p * 20 + i }] })) };
        }
      },
      serverTime: () => undefined,
    };
    return { src, asked };
  }

  it('with the following stream not taking, the next page is asked for only after the stall time; taking arrays lets it go on at once; its end lets the list read on', async () => {
    jest.useFakeTimers();
    const pagesAhead = HELD_PRODUCTS / 20 + 1; // the page that makes the held products exceed the limit
    const { src, asked } = embeddingSource(pagesAhead + 6);
    const embedded = new EmbeddedChildren(['images']);
    embedded.follow('images');
    const catalog = new ProductList(src, embedded);
    const { done } = emitInBackground(catalog);
    await jest.advanceTimersByTimeAsync(0);
    expect(asked.n).toBe(pagesAhead);
    // A stream takes what it follows: the list goes on without waiting out the stall.
    for (let id = 1; id <= 40; id++) embedded.take('images', id);
    await jest.advanceTimersByTimeAsync(0);
    expect(asked.n).toBe(pagesAhead + 2);
    // Nothing taken any more: each wait ends after STALL_MS, one page is read, and the list waits again.
    await jest.advanceTimersByTimeAsync(STALL_MS - 1);
    expect(asked.n).toBe(pagesAhead + 2);
    await jest.advanceTimersByTimeAsync(1);
    expect(asked.n).toBe(pagesAhead + 3);
    await jest.advanceTimersByTimeAsync(STALL_MS);
    expect(asked.n).toBe(pagesAhead + 4);
    // The stream ended (however): the list no longer waits for it and reads to its end.
    embedded.release('images');
    await done;
    expect(asked.n).toBe(pagesAhead + 6);
    expect((await catalog.productIds()).length).toBe((pagesAhead + 6) * 20);
  });
});
