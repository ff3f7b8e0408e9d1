import { ConfigError } from '../../src/errors';
import { Page } from '../../src/pagination';
import { ProductCatalog, ProductListSource } from '../../src/product-catalog';

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

describe('ProductCatalog', () => {
  it('reserved for the emitting stream: children wait for its pages, then get every id; the list is read once', async () => {
    const { src, reads } = source(PAGES);
    const catalog = new ProductCatalog(src);
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
    const catalog = new ProductCatalog(src);
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
    const catalog = new ProductCatalog(src);
    const waiters = [catalog.productIds(), catalog.productIds()];
    for (const w of waiters) await expect(w).rejects.toBe(boom);
  });

  it('an emitting stream that stops consuming early (its own failure) releases the waiters', async () => {
    const { src } = source(PAGES);
    const catalog = new ProductCatalog(src);
    const read = catalog.reserve();
    const waiting = catalog.productIds();
    for await (const _page of read.pages()) break;
    await expect(waiting).rejects.toThrow(/not read to the end/);
  });

  it('without an emitting stream, the first productIds() reads ids only, once; listedAt is the server clock, or the local one without it', async () => {
    const withDate = source(PAGES, { serverTime: Date.UTC(2024, 0, 1) });
    const a = new ProductCatalog(withDate.src);
    expect(a.listedAt()).toBeUndefined();
    expect(await Promise.all([a.productIds(), a.productIds()])).toEqual([[1, 2, 'x3'], [1, 2, 'x3']]);
    expect(withDate.reads.n).toBe(1);
    expect(a.listedAt()).toBe(Date.UTC(2024, 0, 1));

    const before = Date.now();
    const b = new ProductCatalog(source(PAGES).src);
    await b.productIds();
    expect(b.listedAt()).toBeGreaterThanOrEqual(before);
    expect(b.listedAt()).toBeLessThanOrEqual(Date.now());
  });
});
