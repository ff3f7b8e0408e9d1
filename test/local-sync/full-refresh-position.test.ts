/**
 * `npm run sync -- --streams orders --full-refresh` replaces the orders table and saves the position it
 * read to, so the next plain sync goes on from there instead of reading every order again.
 */
import path from 'node:path';

import { startSandbox } from '../../sandbox/server';
import { truthOf } from '../../scripts/truth-check';
import { configFor } from '../helpers/acceptance';
import { workDir } from '../helpers/connector';
import { query, runSync } from '../helpers/local-sync';

jest.setTimeout(300_000);

const work = workDir();
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
afterAll(async () => {
  await sandbox?.close();
  work.cleanup();
});

const ordersState = async (db: string) =>
  (await query(db, `SELECT state FROM _sync_state WHERE stream = 'orders'`)).map((r) => JSON.parse(String(r.state)).stream.stream_state);
const ordersRead = (stdout: string) => Number(stdout.match(/║ orders +│ \S+ +│ COMPLETE +│ (\d+) /)?.[1]);

test('a --full-refresh of orders keeps a position: the next plain sync reads only the orders since', async () => {
  sandbox = await startSandbox({ rateLimitCapacity: 0 });
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
