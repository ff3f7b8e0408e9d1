/**
 * Guarantees 5-8: cursor edge cases of incremental syncs, lists that change
 * while they are paged, pages capped below the page size (and the request
 * count when they are not), and a product deleted before its children are read.
 *
 * The drift guarantee (6) is: every record present for the whole sync is
 * emitted, once. A record deleted or inserted while the sync runs may or may
 * not be emitted (at most once); every other record must be, exactly once.
 */
import { records } from '../helpers/connector';
import {
  ALL,
  CHILD_STREAMS,
  CLEAN,
  Rec,
  Resources,
  STREAM,
  diff,
  emittedTruth,
  errorTraces,
  instant,
  listHandler,
  logs,
  minRequests,
  read,
  statesOf,
  statusesOf,
  testConfig,
} from '../helpers/guarantees';
import type { DriftSpec } from '../../sandbox/server';

jest.setTimeout(60_000);

const res = new Resources();
afterEach(() => res.closeAll());

const ids = (recs: Rec[]) => recs.map((r) => r.id);

describe('Guarantee 5: cursor edge cases', () => {
  const STATE = '2024-03-01T10:00:00Z';

  /** Serves `orders` at /v1/orders (offset, limit, total) and runs an incremental sync of orders from `state`. */
  async function syncOrders(orders: Rec[], state: string | undefined) {
    const server = await res.server(listHandler({ '/v1/orders': orders }));
    // lookback_days 0: this is about the cursor's own comparisons, not the orders lookback window.
    const run = await read(testConfig(server.url, { page_size: 3, lookback_days: 0 }), {
      streams: ['orders'],
      mode: 'incremental',
      state: state === undefined ? undefined : [{ type: 'STREAM', stream: { stream_descriptor: { name: 'orders' }, stream_state: { created_at_utc: state } } }],
    });
    expect(errorTraces(run)).toEqual([]);
    expect(run.code).toBe(0);
    const states = statesOf(run, 'orders');
    expect(states.length).toBeGreaterThan(0);
    return { emitted: ids(records(run, 'orders')), states, final: states[states.length - 1] };
  }

  it('compares cursors as instants: Z, +00:00, other offsets and fractions; ties at the state are re-emitted', async () => {
    const orders = [
      { id: 1, created_at_utc: '2024-03-01T10:00:00Z' }, // tie: emitted
      { id: 2, created_at_utc: '2024-03-01T11:30:00+02:00' }, // 09:30Z: older, although it sorts after as a string
      { id: 3, created_at_utc: '2024-03-01T10:00:00.500+00:00' }, // half a second newer: emitted
      { id: 4, created_at_utc: '2024-03-01T09:59:59.999Z' }, // a millisecond older
      { id: 5, created_at_utc: '2024-03-01T12:00:00+02:00' }, // tie in another zone: emitted
      { id: 6, created_at_utc: '2024-03-01T10:00:00+00:00' }, // tie: emitted
      { id: 7, created_at_utc: '2024-03-01T05:00:01-05:00' }, // 10:00:01Z, although it sorts before as a string
      { id: 8, created_at_utc: '2024-02-29T23:00:00Z' }, // older
      { id: 9, created_at_utc: '2024-03-01T09:00:00.000-01:00' }, // tie
      { id: 10, created_at_utc: '2024-03-01T11:59:59.999+02:00' }, // 09:59:59.999Z: older
      { id: 11, created_at_utc: '2024-03-01T09:30:00-02:00' }, // 11:30Z: the newest
      { id: 12, created_at_utc: '2023-12-31T23:59:59Z' }, // older
    ];
    const { emitted, states, final } = await syncOrders(orders, STATE);

    expect(emitted).toEqual([1, 3, 5, 6, 7, 9, 11]);
    // The final state is the newest emitted instant, whatever its written form.
    expect(instant(final.created_at_utc)).toBe(Date.parse('2024-03-01T11:30:00Z'));
    for (const s of states) expect(instant(s.created_at_utc)).toBeGreaterThanOrEqual(Date.parse(STATE));
  });

  it('a record with a null or missing cursor is emitted and leaves the state alone', async () => {
    const orders = [
      { id: 1, created_at_utc: null },
      { id: 2 },
      { id: 3, created_at_utc: '2024-01-01T00:00:00Z' }, // older than the state
      { id: 4, created_at_utc: null, note: 'last' },
    ];
    const withState = await syncOrders(orders, STATE);
    expect(withState.emitted).toEqual([1, 2, 4]);
    expect(instant(withState.final.created_at_utc)).toBe(Date.parse(STATE));

    const fromScratch = await syncOrders(orders, undefined);
    expect(fromScratch.emitted).toEqual([1, 2, 3, 4]);
    expect(instant(fromScratch.final.created_at_utc)).toBe(Date.parse('2024-01-01T00:00:00Z'));

    const onlyNulls = await syncOrders([{ id: 1, created_at_utc: null }, { id: 2 }], undefined);
    expect(onlyNulls.emitted).toEqual([1, 2]);
    expect(onlyNulls.final.created_at_utc ?? null).toBeNull();
  });

  it('older records are not emitted, and a state later than every record never moves backwards', async () => {
    const LATE = '2030-01-01T00:00:00Z';
    const orders = Array.from({ length: 8 }, (_, i) => ({ id: i + 1, created_at_utc: `2024-0${i + 1}-15T12:00:00Z` }));
    orders.push({ id: 9, created_at_utc: null as unknown as string });
    const { emitted, states, final } = await syncOrders(orders, LATE);

    expect(emitted).toEqual([9]); // only the record without a cursor
    for (const s of states) expect(instant(s.created_at_utc)).toBe(Date.parse(LATE));
    expect(instant(final.created_at_utc)).toBe(Date.parse(LATE));
  });
});

describe('Guarantee 6: drift during a sync (every record present for the whole sync is emitted, once)', () => {
  type Scenario = [name: string, drifts: Array<Omit<DriftSpec, 'resource'> & Record<string, unknown>>];
  const SCENARIOS: Scenario[] = [
    ['3 orders deleted before the next offset after the 1st page', [{ afterRequests: 1, op: 'delete', ids: [3, 4, 5] }]],
    ['the overlap record and the 5 before it deleted after the 1st page', [{ afterRequests: 1, op: 'delete', ids: [15, 16, 17, 18, 19, 20] }]],
    [
      'deletions behind the offset at several points, one larger than a page',
      [
        { afterRequests: 1, op: 'delete', ids: [2, 3] },
        { afterRequests: 3, op: 'delete', ids: [30, 31, 32, 33, 34] },
        { afterRequests: 6, op: 'delete', ids: Array.from({ length: 31 }, (_, i) => 60 + i) },
      ],
    ],
    [
      'the whole last page read (21 orders, the overlap included) deleted after the 2nd page',
      [{ afterRequests: 2, op: 'delete', ids: Array.from({ length: 21 }, (_, i) => 20 + i) }],
    ],
    ['orders deleted ahead of the offset', [{ afterRequests: 2, op: 'delete', ids: [100, 101, 250, 300] }]],
    ['7 orders inserted after the 1st page', [{ afterRequests: 1, op: 'insert', count: 7 }]],
    ['5 orders inserted at the front of the list after the 1st page', [{ afterRequests: 1, op: 'insert', count: 5, at: 0 }]],
    ['4 orders inserted in the middle of the pages already read, after the 2nd page', [{ afterRequests: 2, op: 'insert', count: 4, at: 10 }]],
    ['3 orders inserted just ahead of the offset after the 1st page', [{ afterRequests: 1, op: 'insert', count: 3, at: 25 }]],
    [
      'orders inserted and deleted at the same time, twice',
      [
        { afterRequests: 2, op: 'insert', count: 4 },
        { afterRequests: 2, op: 'delete', ids: [7, 8, 9, 10] },
        { afterRequests: 5, op: 'insert', count: 25 },
        { afterRequests: 5, op: 'delete', ids: [40, 41, 42] },
      ],
    ],
  ];

  // Both dialects: with a total (documented) and without one (vendor: the end is a short page).
  const CASES = SCENARIOS.flatMap(([name, drifts]) => [
    [`${name} (documented)`, drifts, false] as const,
    [`${name} (vendor)`, drifts, true] as const,
  ]);

  it.each(CASES)('%s', async (_name, drifts, vendor) => {
    const sb = await res.sandbox({ vendor });
    const before = ids(emittedTruth(sb).orders);
    for (const d of drifts) sb.drift({ resource: 'orders', ...d } as DriftSpec);

    const run = await read(testConfig(sb.url, vendor ? { page_size_parameter: 'count' } : {}), { streams: ['orders'] });
    expect(errorTraces(run)).toEqual([]);
    expect(run.code).toBe(0);
    // Every armed drift really fired, mid-sync.
    const log = sb.drifts();
    expect(log.armed).toEqual([]);
    expect(log.applied.map((a) => a.error)).toEqual(drifts.map(() => undefined));

    const after = ids(emittedTruth(sb).orders);
    const emitted = ids(records(run, 'orders'));
    const present = before.filter((id) => after.includes(id)); // present for the whole sync
    const duplicates = emitted.filter((id, i) => emitted.indexOf(id) !== i);
    expect(duplicates).toEqual([]);
    expect(present.filter((id) => !emitted.includes(id))).toEqual([]); // none lost
    expect(emitted.filter((id) => !before.includes(id) && !after.includes(id))).toEqual([]); // none invented
  });
});

describe('Guarantee 7: capped pages and the least number of requests', () => {
  it.each([
    [7, 20],
    [19, 20],
    [2, 20],
  ])('a server capping pages at %i records while the page size is %i loses nothing: all 14 streams equal the truth', async (pageCap, pageSize) => {
    const sb = await res.sandbox({ pageCap });
    const run = await read(testConfig(sb.url, { page_size: pageSize }), { streams: ALL, timeoutMs: 90_000 });
    expect(errorTraces(run)).toEqual([]);
    expect(run.code).toBe(0);
    const truth = emittedTruth(sb);
    for (const name of ALL) {
      expect({ stream: name, ...diff(records(run, name), truth[name], STREAM[name].pk) }).toEqual({ stream: name, ...CLEAN });
    }
  });

  it('a server capping pages at 1 record still yields every record', async () => {
    const sb = await res.sandbox({ pageCap: 1 });
    const streams = ['themes', 'shipping_zones', 'choice_sets'];
    const run = await read(testConfig(sb.url, { page_size: 20 }), { streams, timeoutMs: 30_000 });
    expect(run.signal).toBeNull();
    expect(errorTraces(run).map((e) => e.message)).toEqual([]);
    expect(run.code).toBe(0);
    const truth = emittedTruth(sb);
    for (const name of streams) {
      expect({ stream: name, ...diff(records(run, name), truth[name], STREAM[name].pk) }).toEqual({ stream: name, ...CLEAN });
    }
  });

  const SIDES: Record<string, string> = { customers: 'trade', orders: 'archived' };
  it.each([20, 7, 45])('with page size %i and a server honouring it, each list costs ceil(n / page_size) requests (1 when empty)', async (pageSize) => {
    const sb = await res.sandbox();
    // Every list read by paging, child lists included (what embedding saves: test/acceptance/request-economy.test.ts).
    const run = await read(testConfig(sb.url, { page_size: pageSize, use_embedded_children: false }), { streams: ALL });
    expect(run.code).toBe(0);

    const truth = emittedTruth(sb);
    const expected: Record<string, number> = {};
    for (const name of ALL) {
      if (STREAM[name].unpaginated) expected[name] = 1;
      else if (STREAM[name].child) {
        expected[name] = truth.products
          .map((p) => truth[name].filter((c) => c.product_id === p.id).length)
          .reduce((sum, n) => sum + minRequests(n, pageSize), 0);
      } else if (SIDES[name]) {
        // Read once per value of trade / archived (src/read/partitions.ts ListFilter): each side is a list.
        const onTheSide = truth[name].filter((r) => r[SIDES[name]] === true).length;
        expected[name] = minRequests(onTheSide, pageSize) + minRequests(truth[name].length - onTheSide, pageSize);
      } else expected[name] = minRequests(truth[name].length, pageSize);
    }
    const counters = sb.counters();
    expect(counters.byResource).toEqual(expected);
    expect(counters.requests).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    // The truth has products with 0, 1, 20, 21 and 45 children: the empty and boundary lists are in the sum.
    expect(truth.products.some((p) => !truth.products_images.some((c) => c.product_id === p.id))).toBe(true);
  });
});

describe('Guarantee 8: a 404 on a child list skips that product; a 404 on a top-level list fails the stream', () => {
  it('a product deleted right after the products list was read: WARN naming it, exit 0, every other record arrives', async () => {
    const sb = await res.sandbox();
    const before = emittedTruth(sb);
    // The product with the most children overall.
    const childCount = (id: number) => CHILD_STREAMS.reduce((n, s) => n + before[s].filter((c) => c.product_id === id).length, 0);
    const victim = before.products.map((p) => p.id as number).sort((a, b) => childCount(b) - childCount(a))[0];
    expect(childCount(victim)).toBeGreaterThan(0);
    // Fires right after the last page of the products list is answered: the children are read only after it.
    sb.drift({ resource: 'products', afterRequests: minRequests(before.products.length, 20), op: 'delete', ids: [victim] });

    // Every child read per product (embedded children come with the list, before the deletion).
    const run = await read(testConfig(sb.url, { page_size: 20, use_embedded_children: false }), { streams: ALL });
    expect(errorTraces(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(sb.drifts().applied.map((a) => a.result?.deleted)).toEqual([{ products: [victim] }]);

    for (const name of CHILD_STREAMS) {
      const warned = logs(run, 'WARN').filter((l) => l.includes(`'${name}'`) && new RegExp(`product ${victim}\\b`).test(l));
      expect({ stream: name, warned: warned.length }).toEqual({ stream: name, warned: 1 });
      expect(warned[0]).toMatch(/404/);
      expect(statusesOf(run, name).at(-1)).toBe('COMPLETE');
    }
    const after = emittedTruth(sb);
    for (const name of ALL) {
      // The products list was read whole before the deletion, so the victim is one of its records.
      const truth = name === 'products' ? before.products : after[name];
      expect({ stream: name, ...diff(records(run, name), truth, STREAM[name].pk) }).toEqual({ stream: name, ...CLEAN });
    }
  });

  it('a 404 on a top-level list fails that stream with a TRACE error naming it and the 404, exit 1; other streams complete', async () => {
    const themes = [1, 2, 3].map((id) => ({ id, created_at_utc: '2024-01-01T00:00:00Z' }));
    const server = await res.server(listHandler({ '/v1/themes': themes })); // /v1/orders: 404
    const run = await read(testConfig(server.url, { max_retries: 3 }), { streams: ['themes', 'orders'] });

    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(server.seen.filter((r) => r.url.startsWith('/v1/orders'))).toHaveLength(1);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].stream_descriptor).toEqual({ name: 'orders' });
    expect(errors[0].message).toContain("stream 'orders'");
    expect(errors[0].message).toContain('404');
    expect(statusesOf(run, 'orders').at(-1)).toBe('INCOMPLETE');
    expect(statusesOf(run, 'themes').at(-1)).toBe('COMPLETE');
    expect(records(run, 'themes')).toEqual(themes);
    expect(records(run, 'orders')).toEqual([]);
  });
});
