/**
 * Guarantee 11: one stream's failure stays that stream's (and its product list's
 * waiters'), never hangs, and only rejected credentials stop every stream.
 * Guarantee 12: a final state never claims an instant the sync did not see:
 * child streams stop at the product list's clock, and without a server Date
 * header the local clock caps it.
 */
import http from 'node:http';

import { json } from '../helpers/scripted-server';
import { Message, Run, records } from '../helpers/connector';
import { Rec, Resources, errorTraces, instant, listHandler, logs, read, statesOf, statusesOf, testConfig } from '../helpers/guarantees';

jest.setTimeout(90_000);

const res = new Resources();
afterEach(() => res.closeAll());

const PRODUCTS: Rec[] = [
  { id: 1, title: 'one', updated_at_utc: '2024-01-01T00:00:00Z' },
  { id: 2, title: 'two', updated_at_utc: '2024-01-02T00:00:00Z' },
];
const CUSTOMERS: Rec[] = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, created_at_utc: `2024-02-0${i + 1}T00:00:00Z` }));
const ORDERS: Rec[] = [{ id: 1, created_at_utc: '2024-03-01T00:00:00Z' }];

const lists = (): Record<string, Rec[]> => ({
  '/v1/products': PRODUCTS,
  '/v1/products/1/images': [{ id: 11, product_id: 1 }],
  '/v1/products/2/images': [{ id: 21, product_id: 2 }],
  '/v1/customers': CUSTOMERS,
  '/v1/orders': ORDERS,
});

/**
 * Orders fails while customers is mid-read, whatever the machine's speed: the
 * first page of customers is answered at once, the later ones only once the
 * orders TRACE error was printed; and an orders answer given through
 * `afterCustomersRan` waits until customers printed records (its RUNNING status).
 */
function ordersFailWhileCustomersRead(handler: ReturnType<typeof listHandler>) {
  let ordersFailed!: () => void;
  let customersRunning!: () => void;
  const failed = new Promise<void>((resolve) => (ordersFailed = resolve));
  const running = new Promise<void>((resolve) => (customersRunning = resolve));
  const serve = (req: http.IncomingMessage, r: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === '/v1/customers' && Number(url.searchParams.get('offset')) > 0) void failed.then(() => handler(req, r));
    else handler(req, r);
  };
  const afterCustomersRan = (answer: () => void) => void running.then(answer);
  const onMessage = (m: Message) => {
    if (m.type !== 'TRACE') return;
    if (m.trace.type === 'ERROR' && m.trace.error.stream_descriptor?.name === 'orders') ordersFailed();
    const status = m.trace.stream_status;
    if (status?.stream_descriptor.name === 'customers' && status.status === 'RUNNING') customersRunning();
  };
  return { serve, afterCustomersRan, onMessage };
}

/** In the messages: customers started (and, when `emittedBefore`, emitted records) before orders failed, and read on to COMPLETE after. */
function expectCustomersReadOnAfterOrdersFailed(run: Run, emittedBefore: boolean) {
  const at = (test: (m: Message) => boolean) => run.messages.findIndex(test);
  const customers = (status: string) => (m: Message) =>
    m.type === 'TRACE' && m.trace.stream_status?.stream_descriptor.name === 'customers' && m.trace.stream_status.status === status;
  const ordersFailed = at((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
  expect(ordersFailed).toBeGreaterThan(at(customers('STARTED')));
  if (emittedBefore) expect(ordersFailed).toBeGreaterThan(at(customers('RUNNING')));
  const recordsAfter = run.messages.slice(ordersFailed).filter((m) => m.type === 'RECORD' && m.record.stream === 'customers');
  expect(recordsAfter.length).toBeGreaterThan(0);
  expect(at(customers('COMPLETE'))).toBeGreaterThan(ordersFailed);
}

const lastStatus = (run: Awaited<ReturnType<typeof read>>, stream: string) => statusesOf(run, stream).at(-1);

describe('Guarantee 11: a failure ends its own stream and releases every waiter on the product list', () => {
  it('a bad products state ("soon") with products_images selected: exit 1, one config_error naming stream and value, both streams INCOMPLETE, no hang', async () => {
    const server = await res.server(listHandler(lists()));
    const run = await read(testConfig(server.url), {
      streams: ['products', 'products_images'],
      mode: 'incremental',
      state: { products: { updated_at_utc: 'soon' } },
      timeoutMs: 30_000,
    });
    expect(run.signal).toBeNull(); // ended on its own, well before the 30 s kill
    expect(run.code).toBe(1);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].failure_type).toBe('config_error');
    expect(errors[0].stream_descriptor).toEqual({ name: 'products' });
    expect(errors[0].message).toMatch(/'products'.*"soon"/);
    for (const stream of ['products', 'products_images']) {
      expect(statusesOf(run, stream)[0]).toBe('STARTED');
      expect(lastStatus(run, stream)).toBe('INCOMPLETE');
    }
    expect(records(run)).toEqual([]);
  });

  it('a products list that fails (HTTP 400) releases every child waiting on it with that failure: one TRACE, all INCOMPLETE', async () => {
    const base = listHandler(lists());
    const server = await res.server((req, r) =>
      new URL(req.url ?? '/', 'http://local').pathname === '/v1/products' ? json(r, 400, { error: 'no' }) : base(req, r)
    );
    const children = ['products_images', 'product_options', 'products_variations', 'products_reviews'];
    const run = await read(testConfig(server.url), { streams: ['products', ...children], timeoutMs: 30_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/HTTP 400/);
    for (const stream of ['products', ...children]) expect(lastStatus(run, stream)).toBe('INCOMPLETE');
  });

  it.each([
    ['a 403 on /v1/orders', (r: http.ServerResponse) => json(r, 403, { error: 'forbidden' }), /HTTP 403/],
    ['a redirect of /v1/orders', (r: http.ServerResponse) => r.writeHead(302, { location: 'https://elsewhere.example/v1/orders' }).end(), /redirected/],
  ])('%s fails orders alone: customers, emitting when orders fails, read on to COMPLETE with every record', async (_what, answer, says) => {
    const held = ordersFailWhileCustomersRead(listHandler(lists()));
    const server = await res.server((req, r) =>
      new URL(req.url ?? '/', 'http://local').pathname === '/v1/orders' ? held.afterCustomersRan(() => answer(r)) : held.serve(req, r)
    );
    const run = await read(testConfig(server.url, { page_size: 2 }), { streams: ['orders', 'customers'], timeoutMs: 30_000, onMessage: held.onMessage });
    expect(run.code).toBe(1);
    expectCustomersReadOnAfterOrdersFailed(run, true);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].failure_type).toBe('config_error');
    expect(errors[0].stream_descriptor).toEqual({ name: 'orders' });
    expect(errors[0].message).toMatch(says);
    expect(lastStatus(run, 'orders')).toBe('INCOMPLETE');
    expect(lastStatus(run, 'customers')).toBe('COMPLETE');
    expect(records(run, 'customers').map((c) => c.id)).toEqual(CUSTOMERS.map((c) => c.id));
  });

  it('a bad saved state for orders fails orders alone: customers, started when it fails, read on to COMPLETE with every record and their state', async () => {
    const held = ordersFailWhileCustomersRead(listHandler(lists()));
    const server = await res.server(held.serve);
    const run = await read(testConfig(server.url, { page_size: 2 }), {
      streams: ['orders', 'customers'],
      mode: 'incremental',
      state: { orders: { created_at_utc: 'yesterday' } },
      timeoutMs: 30_000,
      onMessage: held.onMessage,
    });
    expect(run.code).toBe(1);
    expectCustomersReadOnAfterOrdersFailed(run, false); // orders fails before any request: customers has only started
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].failure_type).toBe('config_error');
    expect(errors[0].message).toMatch(/'orders'.*"yesterday"/);
    expect(lastStatus(run, 'orders')).toBe('INCOMPLETE');
    expect(lastStatus(run, 'customers')).toBe('COMPLETE');
    expect(records(run, 'customers')).toHaveLength(CUSTOMERS.length);
    // The change feed (events log) starts where the first sync's creation cursor ends.
    expect(statesOf(run, 'customers').at(-1)).toEqual({ created_at_utc: '2024-02-05T00:00:00.000Z', changed_at_utc: '2024-02-05T00:00:00.000Z', changes_since: '2024-02-05T00:00:00.000Z' });
  });

  it('a state value Date.parse would take ("1") is refused as config_error naming the stream', async () => {
    const server = await res.server(listHandler(lists()));
    const run = await read(testConfig(server.url), { streams: ['orders'], mode: 'incremental', state: { orders: { created_at_utc: '1' } } });
    expect(run.code).toBe(1);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].failure_type).toBe('config_error');
    expect(errors[0].message).toMatch(/'orders'.*"1".*not an ISO 8601 or RFC 2822 timestamp/);
    expect(records(run)).toEqual([]);
  });

  it('rejected credentials (HTTP 401) still stop every stream, with one TRACE error', async () => {
    const server = await res.server((_req, r) => json(r, 401, { error: 'who are you' }));
    const run = await read(testConfig(server.url), { streams: ['orders', 'customers', 'products', 'products_images'], timeoutMs: 30_000 });
    expect(run.code).toBe(1);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/rejected the credentials/);
    for (const stream of ['orders', 'customers', 'products', 'products_images']) expect(lastStatus(run, stream)).toBe('INCOMPLETE');
  });
});

describe('Guarantee 12: the final state is capped at the clock the sync saw', () => {
  const LIST_CLOCK = Date.UTC(2024, 5, 1, 12, 0, 0);
  const REVIEWS_CLOCK = Date.UTC(2024, 5, 1, 12, 10, 0);
  // Reviewed after the product list was served, before the reviews stream's first answer.
  const BETWEEN = '2024-06-01T12:05:00.000Z';

  it.each([
    ['with products selected', ['products', 'products_reviews']],
    ['with products_reviews alone (ids-only list read)', ['products_reviews']],
  ])('products_reviews stops at the product list\'s server clock, not its own (%s)', async (_what, streams) => {
    const base = listHandler({
      '/v1/products': PRODUCTS,
      '/v1/products/1/reviews': [{ id: 101, product_id: 1, created_at_utc: '2024-05-01T00:00:00Z' }],
      '/v1/products/2/reviews': [{ id: 201, product_id: 2, created_at_utc: BETWEEN }],
    });
    const server = await res.server((req, r) => {
      const path = new URL(req.url ?? '/', 'http://local').pathname;
      r.setHeader('date', new Date(path === '/v1/products' ? LIST_CLOCK : REVIEWS_CLOCK).toUTCString());
      base(req, r);
    });
    const run = await read(testConfig(server.url), { streams, mode: 'incremental' });
    expect(run.code).toBe(0);
    expect(records(run, 'products_reviews').map((r) => r.id).sort()).toEqual([101, 201]);
    const final = statesOf(run, 'products_reviews').at(-1)!;
    expect(instant(final.created_at_utc)).toBeLessThanOrEqual(LIST_CLOCK);
    expect(instant(final.created_at_utc)).toBeLessThan(instant(BETWEEN)!);
  });

  it('without a server Date header, a future-dated record cannot move the state past the local clock', async () => {
    const base = listHandler({ '/v1/orders': [...ORDERS, { id: 2, created_at_utc: '2100-01-01T00:00:00Z' }] });
    const server = await res.server((req, r) => {
      r.sendDate = false;
      base(req, r);
    });
    const before = Date.now();
    const run = await read(testConfig(server.url), { streams: ['orders'], mode: 'incremental' });
    expect(run.code).toBe(0);
    expect(records(run, 'orders')).toHaveLength(2);
    const final = instant(statesOf(run, 'orders').at(-1)!.created_at_utc)!;
    expect(final).toBeLessThanOrEqual(Date.now());
    expect(final).toBeGreaterThanOrEqual(before - 60_000); // the local clock, not the 2024 record
  });

  it('a cursor value that is not a timestamp ("March 7") is emitted, leaves the state alone, and is warned about once per stream', async () => {
    const odd: Rec[] = [
      { id: 1, created_at_utc: '2024-03-01T00:00:00Z' },
      { id: 2, created_at_utc: 'March 7' },
      { id: 3, created_at_utc: '1' },
    ];
    const server = await res.server(listHandler({ '/v1/orders': odd }));
    const run = await read(testConfig(server.url), { streams: ['orders'], mode: 'incremental' });
    expect(run.code).toBe(0);
    expect(records(run, 'orders').map((r) => r.id)).toEqual([1, 2, 3]);
    expect(statesOf(run, 'orders').at(-1)).toEqual({ created_at_utc: '2024-03-01T00:00:00.000Z', changed_at_utc: '2024-03-01T00:00:00.000Z', changes_since: '2024-03-01T00:00:00.000Z' });
    const warned = logs(run, 'WARN').filter((l) => /not an ISO 8601 or RFC 2822 timestamp/.test(l));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/'orders'.*"March 7"/);
  });
});


