/**
 * `npm run sync -- --streams orders --full-refresh` replaces the orders table and saves the position it
 * read to, so the next plain sync goes on from there instead of reading every order again.
 */
import path from 'node:path';

import { truthOf } from '../../scripts/truth-check';
import { configFor } from '../helpers/acceptance';
import { Resources } from '../helpers/guarantees';
import { query, runSync } from '../helpers/local-sync';

jest.setTimeout(300_000);

const res = new Resources();
const work = res.dir();
afterAll(() => res.closeAll());

const ordersState = async (db: string) =>
  (await query(db, `SELECT state FROM _sync_state WHERE stream = 'orders'`)).map((r) => JSON.parse(String(r.state)).stream.stream_state);
const ordersRead = (stdout: string) => Number(stdout.match(/║ orders +│ \S+ +│ COMPLETE +│ (\d+) /)?.[1]);

test('a --full-refresh of orders keeps a position: the next plain sync reads only the orders since', async () => {
  const sandbox = await res.sandbox();
  const config = work.write('config.json', { ...configFor(sandbox.url), lookback_days: 0 });
  const db = path.join(work.dir, 'shop.duckdb');
  const all = truthOf(sandbox).streams.orders.length;

  expect((await runSync(['--config', config, '--db', db, '--streams', 'orders'])).code).toBe(0);
  const [first] = await ordersState(db);

  const full = await runSync(['--config', config, '--db', db, '--streams', 'orders', '--full-refresh']);
  expect(full.code).toBe(0);
  expect(ordersRead(full.stdout)).toBe(all);
  expect(await query(db, `SELECT count(*)::INTEGER AS n FROM orders`)).toEqual([{ n: all }]);
  const [afterFull] = await ordersState(db);
  expect(afterFull.created_at_utc).toBe(first.created_at_utc);

  const next = await runSync(['--config', config, '--db', db, '--streams', 'orders']);
  expect(next.code).toBe(0);
  expect(ordersRead(next.stdout)).toBeLessThan(all);
});
