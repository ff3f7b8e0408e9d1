/**
 * Guarantee 8 (children): a 404 on any page of a product's child list is
 * checked, not assumed. GET /v1/products/{id} must confirm the product is gone
 * before its children are skipped; while the product exists (or the API cannot
 * say), the same page is asked again with backoff up to max_retries times, then
 * the stream fails; a server that cannot confirm (no single-product endpoint:
 * 404 for all, or 405) never skips. Also: product_id on
 * every child record, and a contradicting product_id from the API is an error.
 */
import http from 'node:http';

import { records } from '../helpers/connector';
import {
  CHILD_STREAMS,
  Rec,
  Resources,
  errorTraces,
  logs,
  minRequests,
  read,
  statusesOf,
  testConfig,
} from '../helpers/guarantees';
import { json } from '../helpers/scripted-server';

jest.setTimeout(120_000);

const res = new Resources();
afterEach(() => res.closeAll());

const PRODUCTS = [{ id: 1 }, { id: 2 }, { id: 3 }];
const IMAGES: Record<string, Rec[]> = {
  '1': [{ id: 11, url: 'a' }],
  '2': [{ id: 21, url: 'b' }, { id: 22, url: 'c' }],
  '3': [{ id: 31, url: 'd' }],
};

/**
 * A documented-form shop of three products with images. `imagesOf2` answers
 * /v1/products/2/images (by attempt number); `single` answers /v1/products/{id}.
 */
function shop(opts: {
  imagesOf2?: (attempt: number, res: http.ServerResponse) => void;
  single?: (id: string, res: http.ServerResponse) => void;
  images?: Record<string, Rec[]>;
}) {
  let attempts = 0;
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === '/v1/products') return json(res, 200, { data: PRODUCTS, total: PRODUCTS.length });
    const single = /^\/v1\/products\/(\d+)$/.exec(url.pathname);
    if (single) return opts.single ? opts.single(single[1], res) : json(res, 200, { data: { id: Number(single[1]) } });
    const images = /^\/v1\/products\/(\d+)\/images$/.exec(url.pathname);
    if (images) {
      if (images[1] === '2' && opts.imagesOf2) return opts.imagesOf2(++attempts, res);
      const list = (opts.images ?? IMAGES)[images[1]] ?? [];
      return json(res, 200, { data: list, total: list.length });
    }
    json(res, 404, { error: { message: `Not found: ${url.pathname}` } });
  };
}

const notFound = (res: http.ServerResponse) => json(res, 404, { error: { message: 'Not found' } });
const requestsTo = (server: { seen: Array<{ url: string }> }, path: string) =>
  server.seen.filter((r) => new URL(r.url, 'http://x').pathname === path).length;

describe('Guarantee 8: a child 404 is checked with GET /v1/products/{id}, never assumed', () => {
  it('a child list that answers 404 although the product exists is asked again max_retries times, then fails its stream naming product and path', async () => {
    const server = await res.server(shop({ imagesOf2: (_n, r) => notFound(r) }));
    const run = await read(testConfig(server.url, { max_retries: 3 }), { streams: ['products', 'products_images'] });

    expect(run.code).toBe(1);
    expect(requestsTo(server, '/v1/products/2/images')).toBe(1 + 3);
    expect(requestsTo(server, '/v1/products/2')).toBeGreaterThanOrEqual(1);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].stream_descriptor).toEqual({ name: 'products_images' });
    expect(errors[0].message).toContain('/v1/products/2/images');
    expect(errors[0].message).toMatch(/404.*still exists/);
    expect(statusesOf(run, 'products_images').at(-1)).toBe('INCOMPLETE');
    expect(statusesOf(run, 'products').at(-1)).toBe('COMPLETE');
    expect(logs(run, 'WARN').some((l) => /skipped/.test(l))).toBe(false);
  });

  it('a 404 that does not repeat: the list is asked once more and every image arrives, with product_id', async () => {
    const server = await res.server(
      shop({ imagesOf2: (n, r) => (n === 1 ? notFound(r) : json(r, 200, { data: IMAGES['2'], total: 2 })) })
    );
    const run = await read(testConfig(server.url), { streams: ['products_images'] });

    expect(errorTraces(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(requestsTo(server, '/v1/products/2/images')).toBe(2);
    const expected = Object.entries(IMAGES).flatMap(([pid, list]) => list.map((i) => ({ ...i, product_id: Number(pid) })));
    expect(records(run, 'products_images').sort((a, b) => a.id - b.id)).toEqual(expected);
  });

  it('a product the single-product endpoint confirms gone (404, while it answers 200 for a listed one): WARN, skipped, exit 0', async () => {
    const server = await res.server(
      shop({ imagesOf2: (_n, r) => notFound(r), single: (id, r) => (id === '2' ? notFound(r) : json(r, 200, { data: { id: Number(id) } })) })
    );
    const run = await read(testConfig(server.url), { streams: ['products_images'] });

    expect(errorTraces(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(requestsTo(server, '/v1/products/2/images')).toBe(1);
    const warned = logs(run, 'WARN').filter((l) => /product 2\b/.test(l));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/confirms it was deleted/);
    expect(records(run, 'products_images').map((r) => r.id).sort()).toEqual([11, 31]);
  });

  it.each([
    ['404 for every product (no such endpoint)', (_id: string, r: http.ServerResponse) => notFound(r)],
    ['405 Method Not Allowed', (_id: string, r: http.ServerResponse) => json(r, 405, { error: { message: 'Method not allowed' } })],
  ])('a server whose single-product endpoint answers %s cannot confirm a deletion: the stream fails, nothing is skipped silently', async (_what, single) => {
    const server = await res.server(shop({ imagesOf2: (_n, r) => notFound(r), single }));
    const run = await read(testConfig(server.url), { streams: ['products_images'] });

    expect(run.code).toBe(1);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].stream_descriptor).toEqual({ name: 'products_images' });
    expect(errors[0].message).toMatch(/cannot confirm that product 2 was deleted/);
    expect(logs(run, 'WARN').some((l) => /skipped/.test(l))).toBe(false);
  });

  it('a single-product answer that is not a product (200 without one) is retried, then fails the stream; never read as "exists" or "gone"', async () => {
    const server = await res.server(shop({ imagesOf2: (_n, r) => notFound(r), single: (_id, r) => json(r, 200, { message: 'ok' }) }));
    const run = await read(testConfig(server.url, { max_retries: 2 }), { streams: ['products_images'] });

    expect(run.code).toBe(1);
    expect(requestsTo(server, '/v1/products/2')).toBe(3);
    expect(requestsTo(server, '/v1/products/2/images')).toBe(1);
    const errors = errorTraces(run);
    expect(errors.map((e) => e.stream_descriptor.name)).toEqual(['products_images']);
    expect(errors[0].message).toContain('/v1/products/2');
    expect(logs(run, 'WARN').some((l) => /skipped/.test(l))).toBe(false);
  });

  it('a child record whose product_id names another product fails its stream, naming the record and both products', async () => {
    const images = { ...IMAGES, '3': [{ id: 31, url: 'd', product_id: 1 }] };
    const server = await res.server(shop({ images }));
    const run = await read(testConfig(server.url), { streams: ['products_images'] });

    expect(run.code).toBe(1);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].stream_descriptor).toEqual({ name: 'products_images' });
    expect(errors[0].message).toMatch(/record 31 was listed under product 3 but says product_id 1/);
  });

  it('string product ids: product_id keeps the JSON type of the product id; an agreeing product_id from the API is kept', async () => {
    const server = await res.server((req, r) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/v1/products') return json(r, 200, { data: [{ id: 'p-1' }, { id: 'p-2' }], total: 2 });
      if (path === '/v1/products/p-1/images') return json(r, 200, { data: [{ id: 5 }], total: 1 });
      if (path === '/v1/products/p-2/images') return json(r, 200, { data: [{ id: 6, product_id: 'p-2' }], total: 1 });
      notFound(r);
    });
    const run = await read(testConfig(server.url), { streams: ['products_images'] });
    expect(errorTraces(run)).toEqual([]);
    expect(records(run, 'products_images')).toEqual(
      expect.arrayContaining([{ id: 5, product_id: 'p-1' }, { id: 6, product_id: 'p-2' }])
    );
  });
});

describe('Guarantee 8 on every page: a 404 on page 1, 2 or 3 of a product\'s list', () => {
  // Product 2 has five images; at page_size 2 its list is three pages (offsets 0, 1 and 3: pages overlap by one record).
  const FIVE = [21, 22, 23, 24, 25].map((id) => ({ id, url: `u${id}` }));
  const PAGE_OFFSETS = [0, 1, 3];

  /** Serves product 2's images page by page; the page at `offset` answers 404 `times` times (Infinity: always). */
  function pagedShop(opts: { offset: number; times: number; gone?: boolean }) {
    let faults = 0;
    return (req: http.IncomingMessage, r: http.ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://local');
      if (url.pathname === '/v1/products') return json(r, 200, { data: PRODUCTS, total: PRODUCTS.length });
      const single = /^\/v1\/products\/(\d+)$/.exec(url.pathname);
      if (single) return opts.gone && single[1] === '2' ? notFound(r) : json(r, 200, { data: { id: Number(single[1]) } });
      const images = /^\/v1\/products\/(\d+)\/images$/.exec(url.pathname);
      if (!images) return notFound(r);
      const list = images[1] === '2' ? FIVE : IMAGES[images[1]] ?? [];
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 20);
      if (images[1] === '2' && offset === opts.offset && (opts.gone || faults++ < opts.times)) return notFound(r);
      json(r, 200, { data: list.slice(offset, offset + limit), total: list.length });
    };
  }
  const imagesOf2 = (server: { seen: Array<{ url: string }> }) =>
    server.seen.filter((q) => new URL(q.url, 'http://x').pathname === '/v1/products/2/images').map((q) => Number(new URL(q.url, 'http://x').searchParams.get('offset')));
  const config = (url: string) => testConfig(url, { page_size: 2, max_retries: 3 });
  const allImages = () =>
    [...IMAGES['1'].map((i) => ({ ...i, product_id: 1 })), ...FIVE.map((i) => ({ ...i, product_id: 2 })), ...IMAGES['3'].map((i) => ({ ...i, product_id: 3 }))];

  it.each([1, 2, 3])('page %i answers 404 once while the product exists: the same page is asked again, every image arrives exactly once', async (page) => {
    const offset = PAGE_OFFSETS[page - 1];
    const server = await res.server(pagedShop({ offset, times: 1 }));
    const run = await read(config(server.url), { streams: ['products_images'] });

    expect(errorTraces(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(records(run, 'products_images').sort((a, b) => a.id - b.id)).toEqual(allImages());
    // Every page once, the faulted one twice, nothing before it again.
    expect(imagesOf2(server)).toEqual([...PAGE_OFFSETS.slice(0, page), offset, ...PAGE_OFFSETS.slice(page)]);
    expect(requestsTo(server, '/v1/products/2')).toBeGreaterThanOrEqual(1);
    expect(logs(run, 'WARN').filter((l) => /asking for the same page again/.test(l))).toHaveLength(1);
  });

  it.each([1, 2, 3])('page %i keeps answering 404 while the product exists: asked 1 + max_retries times, then the stream fails naming the path; what came before is kept', async (page) => {
    const offset = PAGE_OFFSETS[page - 1];
    const server = await res.server(pagedShop({ offset, times: Infinity }));
    const run = await read(config(server.url), { streams: ['products_images'] });

    expect(run.code).toBe(1);
    expect(imagesOf2(server)).toEqual([...PAGE_OFFSETS.slice(0, page - 1), offset, offset, offset, offset]);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].stream_descriptor).toEqual({ name: 'products_images' });
    expect(errors[0].message).toMatch(new RegExp(`/v1/products/2/images\\?offset=${offset}&limit=\\d+ answered 404 Not Found 4 times although .* still exists`));
    expect(statusesOf(run, 'products_images').at(-1)).toBe('INCOMPLETE');
    expect(logs(run, 'WARN').some((l) => /skipped/.test(l))).toBe(false);
    const readBefore = page === 1 ? [] : FIVE.slice(0, offset + 1).map((i) => i.id);
    expect(records(run, 'products_images').filter((r) => r.product_id === 2).map((r) => r.id)).toEqual(readBefore);
  });

  it.each([2, 3])('page %i answers 404 and GET /v1/products/2 confirms the product gone: the rest is skipped with a warning, exit 0, earlier pages kept', async (page) => {
    const offset = PAGE_OFFSETS[page - 1];
    const server = await res.server(pagedShop({ offset, times: Infinity, gone: true }));
    const run = await read(config(server.url), { streams: ['products_images'] });

    expect(errorTraces(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(imagesOf2(server)).toEqual(PAGE_OFFSETS.slice(0, page));
    const warned = logs(run, 'WARN').filter((l) => /product 2\b/.test(l));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(new RegExp(`confirms it was deleted.*skipped from offset ${offset} on`));
    const readBefore = FIVE.slice(0, offset + 1).map((i) => i.id);
    expect(records(run, 'products_images').filter((r) => r.product_id === 2).map((r) => r.id)).toEqual(readBefore);
  });
});

describe('Guarantee 8 against the sandbox: a product deleted after the products list', () => {
  async function deleteVictimAfterList(options: { vendor: boolean; productById: boolean }) {
    const sb = await res.sandbox({ vendor: options.vendor, productById: options.productById });
    const parents = sb.parents();
    const childCount = (id: number) => CHILD_STREAMS.reduce((n, s) => n + Object.values(parents[s]).filter((p) => p === id).length, 0);
    const products = sb.truth().products;
    // A product of the first page: if the deletion lands a page early, the paginator's drift
    // handling still keeps it in the list (it was read already), so it is always a 404 later.
    const victim = products.slice(0, 20).map((p) => p.id as number).sort((a, b) => childCount(b) - childCount(a))[0];
    // Vendor lists have no total: the list ends on a short page after the overlapping requests.
    const listRequests = options.vendor ? Math.floor(products.length / 20) + 1 : minRequests(products.length, 20);
    sb.drift({ resource: 'products', afterRequests: listRequests, op: 'delete', ids: [victim] });
    // Every child read per product (embedded children come with the list, before the deletion).
    const config = testConfig(sb.url, { page_size: 20, use_embedded_children: false, ...(options.vendor && { page_size_parameter: 'count' }) });
    const run = await read(config, { streams: ['products', ...CHILD_STREAMS] });
    return { sb, run, victim };
  }

  it('vendor form: every child stream confirms with GET /v1/products/{id}, warns once naming the product, completes', async () => {
    const { sb, run, victim } = await deleteVictimAfterList({ vendor: true, productById: true });
    expect(sb.drifts().applied.map((a) => a.result?.deleted)).toEqual([{ products: [victim] }]);
    expect(errorTraces(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(sb.counters().singleProduct).toBeGreaterThanOrEqual(CHILD_STREAMS.length);
    for (const name of CHILD_STREAMS) {
      const warned = logs(run, 'WARN').filter((l) => l.includes(`'${name}'`) && new RegExp(`product ${victim}\\b`).test(l));
      expect({ stream: name, warned: warned.length }).toEqual({ stream: name, warned: 1 });
      expect(statusesOf(run, name).at(-1)).toBe('COMPLETE');
      const parents = sb.parents()[name];
      const wrong = records(run, name).filter((r) => parents[String(r.id)] !== r.product_id);
      expect({ stream: name, wrong }).toEqual({ stream: name, wrong: [] });
    }
  });

  it('with the single-product endpoint switched off (productById: false): the child streams fail instead of skipping', async () => {
    const { run, victim } = await deleteVictimAfterList({ vendor: false, productById: false });
    expect(run.code).toBe(1);
    const errors = errorTraces(run);
    expect(errors.map((e) => e.stream_descriptor.name).sort()).toEqual([...CHILD_STREAMS].sort());
    for (const e of errors) expect(e.message).toContain(`cannot confirm that product ${victim} was deleted`);
    expect(statusesOf(run, 'products').at(-1)).toBe('COMPLETE');
    expect(logs(run, 'WARN').some((l) => /skipped/.test(l))).toBe(false);
  });
});
