/**
 * Issue 20, the change feed when the events log fails: the orders stream goes
 * on without it (the lookback window still applies) and `changes_since` stays
 * where it was, so the next sync asks the log from the same point and no change
 * is lost. Scripted server, bin/main as its own process.
 */
import http from 'node:http';

import { records } from '../helpers/connector';
import { Rec, Resources, errorTraces, listHandler, logs, read, statesOf, testConfig } from '../helpers/guarantees';
import { json } from '../helpers/scripted-server';

jest.setTimeout(60_000);

const res = new Resources();
afterEach(() => res.closeAll());

const ORDERS: Rec[] = [
  { id: 1, created_at_utc: '2024-01-10T00:00:00Z', status: 'paid' },
  { id: 2, created_at_utc: '2024-03-01T00:00:00Z', status: 'placed' },
  { id: 3, created_at_utc: '2024-03-02T00:00:00Z', status: 'placed' },
];
const STATE = { orders: { created_at_utc: '2024-03-01T00:00:00.000Z', changes_since: '2024-03-01T12:00:00.000Z' } };

it.each([
  ['answers 404 (not served)', 404],
  ['answers 403 (no permission)', 403],
  ['keeps failing with 500', 500],
])('the events log %s: orders complete from the state, a warning says so, changes_since is kept', async (_, status) => {
  const orders = listHandler({ '/v1/orders': ORDERS });
  const server = await res.server((req: http.IncomingMessage, response: http.ServerResponse) => {
    if (new URL(req.url ?? '/', 'http://local').pathname === '/v1/events') return json(response, status, { error: { message: 'no' } });
    orders(req, response);
  });
  const run = await read(testConfig(server.url, { max_retries: 1, lookback_days: 0 }), { streams: ['orders'], mode: 'incremental', state: STATE });
  expect(errorTraces(run)).toEqual([]);
  expect(run.code).toBe(0);
  expect(records(run, 'orders').map((r) => r.id)).toEqual([2, 3]);
  const warned = logs(run, 'WARN').filter((l) => l.startsWith('The events log (/v1/events)'));
  expect(warned).toHaveLength(1);
  expect(warned[0]).toMatch(/next sync asks the log from the same point/);
  // changed_at_utc: the greatest value stamped, the newest order's creation.
  expect(statesOf(run, 'orders').at(-1)).toEqual({ created_at_utc: '2024-03-02T00:00:00.000Z', changed_at_utc: '2024-03-02T00:00:00.000Z', changes_since: STATE.orders.changes_since });
  expect(server.seen.filter((s) => s.url.startsWith('/v1/events')).length).toBe(status === 500 ? 2 : 1);
});

it('an event naming an old order: the order is emitted again from the list read, without a request of its own, and the state cursor does not move back', async () => {
  const events = [
    { id: 7, type: 'order.updated', resource_type: 'order', resource_id: 1, created_at_utc: '2024-03-01T12:30:00Z' },
    { id: 6, type: 'product.updated', resource_type: 'product', resource_id: 1, created_at_utc: '2024-03-01T12:30:00Z' },
    { id: 5, type: 'order.updated', resource_type: 'order', resource_id: 2, created_at_utc: '2024-02-01T00:00:00Z' }, // before changes_since
  ];
  // This list ignores `from` and `ids`, as a server may: the whole list comes back, so order 1 is in it.
  const server = await res.server(listHandler({ '/v1/orders': ORDERS, '/v1/events': events }));
  const run = await read(testConfig(server.url, { lookback_days: 0 }), { streams: ['orders'], mode: 'incremental', state: STATE });
  expect(run.code).toBe(0);
  expect(records(run, 'orders').map((r) => r.id)).toEqual([1, 2, 3]);
  expect(server.seen.filter((s) => /^\/v1\/orders\/\d/.test(s.url) || s.url.includes('ids='))).toEqual([]);
  expect(statesOf(run, 'orders').at(-1)).toEqual({
    created_at_utc: '2024-03-02T00:00:00.000Z',
    changed_at_utc: '2024-03-02T00:00:00.000Z',
    changes_since: '2024-03-01T12:30:00.000Z',
    events_since_id: Math.max(...events.map((e) => e.id)),
  });
});

describe('an order the events log names answers 404 when read again by id', () => {
  const events = [{ id: 8, type: 'order.updated', resource_type: 'order', resource_id: 9, created_at_utc: '2024-03-01T13:00:00Z' }];
  const order9 = { id: 9, created_at_utc: '2023-06-01T00:00:00Z', status: 'dispatched' };

  /**
   * The list (which does not hold order 9: it is older than the state) and the events; GET /v1/orders/9 answers
   * 404 `times404` times. GET /v1/orders/{id} serves the listed orders unless `singlesServed` is false.
   */
  async function serverWith404s(times404: number, singlesServed = true) {
    const lists = listHandler({ '/v1/orders': ORDERS, '/v1/events': events });
    let asked = 0;
    return res.server((req: http.IncomingMessage, response: http.ServerResponse) => {
      const path = new URL(req.url ?? '/', 'http://local').pathname;
      const listed = ORDERS.find((o) => path === `/v1/orders/${o.id}`);
      if (listed) return singlesServed ? json(response, 200, { data: listed }) : json(response, 404, { error: { message: 'Not Found' } });
      if (path !== '/v1/orders/9') return lists(req, response);
      asked++;
      if (asked <= times404) return json(response, 404, { error: { message: 'Not Found' } });
      json(response, 200, { data: order9 });
    });
  }
  const cfg = (url: string) => testConfig(url, { lookback_days: 0, use_order_filters: false, backoff_factor: 0.05 });

  it('once (a proxy or cache hiccup): it is asked again after a backoff and emitted with its new status; changes_since moves past it', async () => {
    const server = await serverWith404s(1);
    const run = await read(cfg(server.url), { streams: ['orders'], mode: 'incremental', state: STATE });
    expect(errorTraces(run)).toEqual([]);
    expect(run.code).toBe(0);
    // As the API sent it, plus its cursor value: the event's time (later than its creation and the starting state).
    expect(records(run, 'orders').find((r) => r.id === 9)).toEqual({ ...order9, changed_at_utc: new Date(events[0].created_at_utc).toISOString() });
    expect(server.seen.filter((s) => s.url.startsWith('/v1/orders/9'))).toHaveLength(2);
    expect(logs(run).filter((l) => /deleted since/.test(l))).toEqual([]);
    // The log's last event id is kept beside changes_since: the next sync asks since_id (issue 30).
    expect(statesOf(run, 'orders').at(-1)).toEqual({
      created_at_utc: '2024-03-02T00:00:00.000Z',
      changed_at_utc: '2024-03-02T00:00:00.000Z',
      changes_since: '2024-03-01T13:00:00.000Z',
      events_since_id: events[0].id,
    });
  });

  it('twice: taken as deleted, logged once, emitted as a deletion record (key, cursor, _ab_cdc_deleted_at), the stream completes', async () => {
    const server = await serverWith404s(2);
    const run = await read(cfg(server.url), { streams: ['orders'], mode: 'incremental', state: STATE });
    expect(errorTraces(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(records(run, 'orders').filter((r) => !r._ab_cdc_deleted_at).map((r) => r.id)).toEqual([2, 3]);
    const deletion = records(run, 'orders').filter((r) => r._ab_cdc_deleted_at);
    // The declared cursor of orders is changed_at_utc: the deletion record carries it (its creation time is not known).
    expect(deletion.map((r) => [r.id, Object.keys(r).sort()])).toEqual([[9, ['_ab_cdc_deleted_at', 'changed_at_utc', 'id']]]);
    // At or after every row the destination can hold: the state the read started from.
    expect(Date.parse(deletion[0].changed_at_utc)).toBeGreaterThanOrEqual(Date.parse(STATE.orders.created_at_utc));
    expect(server.seen.filter((s) => s.url.startsWith('/v1/orders/9'))).toHaveLength(2);
    const deleted = logs(run).filter((l) => /answered 404 Not Found twice when read again, so they were deleted since: 9\./.test(l));
    expect(deleted).toHaveLength(1);
  });

  it('twice, from an endpoint never seen answering for an order that exists: not taken as deleted, the stream fails and changes_since stays', async () => {
    const server = await serverWith404s(2, false);
    const run = await read(cfg(server.url), { streams: ['orders'], mode: 'incremental', state: STATE });
    expect(logs(run).filter((l) => /deleted since/.test(l))).toEqual([]);
    expect(records(run, 'orders').filter((r) => r._ab_cdc_deleted_at)).toEqual([]);
    const traces = errorTraces(run);
    expect(traces).toHaveLength(1);
    expect(JSON.stringify(traces[0])).toMatch(/cannot confirm they were deleted/);
    // A listed order was asked as the endpoint's witness and answered 404 too.
    expect(server.seen.filter((s) => /^\/v1\/orders\/[123]$/.test(s.url))).toHaveLength(1);
    for (const state of statesOf(run, 'orders')) expect(state.changes_since).toBe(STATE.orders.changes_since);
  });
});

it('an order deleted while nothing was listed this sync (no new order, `from` answers none): a listed record from the first page vouches for the endpoint, a deletion record, the stream completes', async () => {
  const events = [{ id: 8, type: 'order.deleted', resource_type: 'order', resource_id: 9, created_at_utc: '2024-03-01T13:00:00Z' }];
  const lists = listHandler({ '/v1/orders': ORDERS, '/v1/events': events });
  const server = await res.server((req: http.IncomingMessage, response: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const listed = ORDERS.find((o) => url.pathname === `/v1/orders/${o.id}`);
    if (listed) return json(response, 200, { data: listed });
    if (url.pathname === '/v1/orders/9') return json(response, 404, { error: { message: 'Not Found' } });
    // A server honouring `from` with no order since the state, and `ids=` holding nothing of the deleted order.
    if (url.pathname === '/v1/orders' && (url.searchParams.has('from') || url.searchParams.has('ids'))) return json(response, 200, { data: [], total: 0 });
    lists(req, response);
  });
  const state = { orders: { created_at_utc: '2024-03-02T00:00:00.000Z', changes_since: '2024-03-01T12:00:00.000Z' } };
  const run = await read(testConfig(server.url, { lookback_days: 0, backoff_factor: 0.05 }), { streams: ['orders'], mode: 'incremental', state });
  expect(errorTraces(run)).toEqual([]);
  expect(run.code).toBe(0);
  expect(records(run, 'orders').map((r) => [r.id, Boolean(r._ab_cdc_deleted_at)])).toEqual([[9, true]]);
  // The witness: one plain list page, then a listed order asked by id.
  expect(server.seen.filter((s) => new URL(s.url, 'http://local').pathname === '/v1/orders' && !/from=|ids=/.test(s.url)).length).toBeGreaterThanOrEqual(1);
  expect(server.seen.filter((s) => /^\/v1\/orders\/[123]$/.test(s.url))).toHaveLength(1);
  expect(statesOf(run, 'orders').at(-1)!.changes_since).toBe('2024-03-01T13:00:00.000Z');
});
