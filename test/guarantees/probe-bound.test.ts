/**
 * Issue 21 (4): the real bound on probes (src/read/page-cap.ts). Without a total, a
 * short page as long as the longest page the run has served may be a silent
 * cap; the list reads one page further (a probe). Probes never overlap; a
 * short page shorter than one already served never probes; after the run has
 * served a full page (page_size + 1 records, the overlapping page) none does.
 * Short lists that tie the longest page served each probe, read one after
 * another or at once: a list of exactly n and a list cut at n look the same,
 * so skipping that probe could lose records.
 *
 * A vendor-form server (bare arrays, no total) scripted in the test; the probe
 * requests are counted on the server: a review request at or past the list's
 * last record.
 */
import http from 'node:http';

import { records } from '../helpers/connector';
import { Resources, errorTraces, read, testConfig } from '../helpers/guarantees';
import { json } from '../helpers/scripted-server';

jest.setTimeout(60_000);

const res = new Resources();
afterEach(() => res.closeAll());

/** `products` products; product i has reviewCounts[i % length] reviews. Answers 30 ms late so that requests overlap. */
function shop(products: number, reviewCounts: number[]) {
  const productList = Array.from({ length: products }, (_, i) => ({ id: i + 1 }));
  const reviewsOf = (id: number) => Array.from({ length: reviewCounts[(id - 1) % reviewCounts.length] }, (_, j) => ({ id: id * 100 + j }));
  const probes = { sent: 0, inFlight: 0, peak: 0 };
  const handler = (req: http.IncomingMessage, r: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const count = Number(url.searchParams.get('count') ?? 50);
    let list: unknown[] | undefined;
    if (url.pathname === '/v1/products') list = productList;
    const reviews = /^\/v1\/products\/(\d+)\/reviews$/.exec(url.pathname);
    if (reviews) list = reviewsOf(Number(reviews[1]));
    if (!list) return json(r, 404, { error: { message: 'Not found' } });
    // The last page of a list overlaps by one record: a request from its last record on can only be a probe.
    const probe = !!reviews && offset > 0 && offset >= list.length - 1;
    if (probe) {
      probes.sent++;
      probes.peak = Math.max(probes.peak, ++probes.inFlight);
    }
    setTimeout(() => {
      if (probe) probes.inFlight--;
      json(r, 200, list!.slice(offset, offset + count));
    }, 30);
  };
  const expected = productList.flatMap((p) => reviewsOf(p.id).map((rv) => ({ ...rv, product_id: p.id })));
  return { handler, probes, expected };
}

const config = (url: string, concurrency: number) =>
  testConfig(url, { page_size: 20, page_size_parameter: 'count', max_concurrency: concurrency, use_counts: false });

describe.each([
  ['one after another', 1],
  ['at once', 8],
])('short lists read %s (max_concurrency %i)', (_how, concurrency) => {
  it('five lists as long as the longest page served (5, the products list): one probe each, never two at a time, every record once', async () => {
    const { handler, probes, expected } = shop(5, [5]);
    const server = await res.server(handler);
    const run = await read(config(server.url, concurrency), { streams: ['products_reviews'] });

    expect(errorTraces(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(records(run, 'products_reviews').sort((a, b) => a.id - b.id)).toEqual(expected);
    expect(probes.sent).toBe(5);
    expect(probes.peak).toBe(1);
  });

  it('five lists shorter than the longest page served: no probe', async () => {
    const { handler, probes, expected } = shop(5, [3, 4, 1, 0, 2]);
    const server = await res.server(handler);
    const run = await read(config(server.url, concurrency), { streams: ['products_reviews'] });

    expect(run.code).toBe(0);
    expect(records(run, 'products_reviews').sort((a, b) => a.id - b.id)).toEqual(expected);
    expect(probes.sent).toBe(0);
  });

  it('lists of 6, 6, 7, 3, 7 after a products page of 5: a probe only for those at least as long as every page served before them', async () => {
    const { handler, probes, expected } = shop(5, [6, 6, 7, 3, 7]);
    const server = await res.server(handler);
    const run = await read(config(server.url, concurrency), { streams: ['products_reviews'] });

    expect(run.code).toBe(0);
    expect(records(run, 'products_reviews').sort((a, b) => a.id - b.id)).toEqual(expected);
    // Read one after another: 6 probes, 6 ties, 7 probes, 3 ends, 7 ties. At once, the lists whose
    // first page comes back after a 7 was served end without a probe: never more than that.
    if (concurrency === 1) expect(probes.sent).toBe(4);
    else expect(probes.sent).toBeLessThanOrEqual(4);
    expect(probes.peak).toBe(1);
  });

  it.each([
    [5, 5],
    [45, 0],
  ])('lists of 39 (a page of 20, then 20 of 21 asked) after a products list of %i: %i probes; none once a full page of 21 was served', async (products, expectedProbes) => {
    const { handler, probes, expected } = shop(products, [39]);
    const server = await res.server(handler);
    const run = await read(config(server.url, concurrency), { streams: ['products_reviews'] });

    expect(run.code).toBe(0);
    expect(records(run, 'products_reviews').sort((a, b) => a.id - b.id)).toEqual(expected);
    expect(probes.sent).toBe(expectedProbes);
  });
});
