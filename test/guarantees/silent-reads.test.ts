/**
 * Issue 30: no silence. A read that emits nothing (the events log before the
 * orders list, the products list read for a child stream alone) logs that it
 * is still going at least every HEARTBEAT_MS, so a platform that kills a
 * source silent too long does not kill a slow but healthy sync. A scripted
 * server answers slowly (the log spans more than one interval); bin/main runs
 * as its own process. No time is asserted: only the order of the messages.
 */
import http from 'node:http';

import { Message, records } from '../helpers/connector';
import { Rec, Resources, listHandler, logs, read, testConfig } from '../helpers/guarantees';
import { HEARTBEAT_MS } from '../../src/read/heartbeat';

const PAGES = 3;
/** Each page this late: the whole read spans more than one interval. */
const DELAY_MS = Math.ceil((HEARTBEAT_MS + 6_000) / PAGES);
jest.setTimeout(PAGES * DELAY_MS + 60_000);

const res = new Resources();
afterEach(() => res.closeAll());

const cfg = (url: string) => testConfig(url, { page_size: 20, request_timeout_seconds: Math.ceil(DELAY_MS / 1000) + 20, lookback_days: 0 });

/** A list handler that answers `slowPath` late. */
async function slowServer(lists: Record<string, Rec[]>, slowPath: string) {
  const handler = listHandler(lists);
  return res.server((req: http.IncomingMessage, response: http.ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (path === slowPath) setTimeout(() => handler(req, response), DELAY_MS);
    else handler(req, response);
  });
}

const lineIndex = (messages: Message[], test: (m: Message) => boolean) => messages.findIndex(test);
const isLog = (pattern: RegExp) => (m: Message) => m.type === 'LOG' && pattern.test(m.log.message);

it('the events log read for the change feed: a "Still reading the events log" line before the feed ends and before any order', async () => {
  const events = Array.from({ length: 20 * (PAGES - 1) + 5 }, (_, i) => ({
    id: i + 1,
    type: 'order.updated',
    resource_type: 'order',
    resource_id: 1,
    created_at_utc: '2024-03-01T13:00:00Z',
  }));
  const orders = [
    { id: 1, created_at_utc: '2024-01-10T00:00:00Z', status: 'paid' },
    { id: 2, created_at_utc: '2024-03-02T00:00:00Z', status: 'placed' },
  ];
  const server = await slowServer({ '/v1/orders': orders, '/v1/events': events }, '/v1/events');
  const state = { orders: { created_at_utc: '2024-03-01T00:00:00.000Z', changes_since: '2024-03-01T12:00:00.000Z' } };
  const run = await read(cfg(server.url), { streams: ['orders'], mode: 'incremental', state });
  expect(run.code).toBe(0);
  expect(records(run, 'orders').map((r) => r.id).sort()).toEqual([1, 2]);
  const beat = lineIndex(run.messages, isLog(/^Still reading the events log \(\/v1\/events\) for the change feed: \d+ pages, \d+ events so far/));
  expect(beat).toBeGreaterThanOrEqual(0);
  expect(beat).toBeLessThan(lineIndex(run.messages, isLog(/^Change feed:/)));
  expect(beat).toBeLessThan(lineIndex(run.messages, (m) => m.type === 'RECORD'));
  expect(logs(run).filter((l) => l.startsWith('Still reading the events log')).length).toBeGreaterThanOrEqual(1);
});

it('the products list read for a child stream alone: a "Still reading the products list" line before the list ends', async () => {
  const products = Array.from({ length: 20 * (PAGES - 1) + 5 }, (_, i) => ({ id: i + 1, title: `P${i + 1}`, created_at_utc: '2024-01-01T00:00:00Z' }));
  const lists: Record<string, Rec[]> = { '/v1/products': products };
  for (const p of products) lists[`/v1/products/${p.id}/reviews`] = [];
  const server = await slowServer(lists, '/v1/products');
  const run = await read(cfg(server.url), { streams: ['products_reviews'] });
  expect(run.code).toBe(0);
  const beat = lineIndex(run.messages, isLog(/^Still reading the products list for the per-product streams: \d+( of about \d+)? products listed so far/));
  expect(beat).toBeGreaterThanOrEqual(0);
  expect(beat).toBeLessThan(lineIndex(run.messages, isLog(/^Stream 'products_reviews' finished/)));
});
