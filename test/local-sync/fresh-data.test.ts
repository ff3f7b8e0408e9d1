/**
 * Issue 20 in the local DuckDB sync (`npm run sync`): an order whose status
 * changed and a customer who edited their name between two syncs replace their
 * rows (merge by key, last wins), whatever their age.
 */
import path from 'node:path';

import { startSandbox } from '../../sandbox/server';
import { compareToTruth, describeDiff, truthOf } from '../../scripts/truth-check';
import { configFor } from '../helpers/acceptance';
import { workDir } from '../helpers/connector';
import { asTableTruth, query, runSync, tableRecords } from '../helpers/local-sync';

jest.setTimeout(300_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

test.each([false, true])('vendor %s: changed old order and customer replace their rows in DuckDB after the second sync', async (vendor) => {
  const sandbox = await startSandbox({ rateLimitCapacity: 0, vendor });
  const work = workDir();
  try {
    const config = work.write('config.json', configFor(sandbox.url, vendor ? { page_size_parameter: 'count' } : {}));
    const db = path.join(work.dir, 'shop.duckdb');
    const args = ['--config', config, '--db', db, '--streams', 'orders,customers'];
    expect((await runSync(args)).code).toBe(0);

    const [oldest] = truthOf(sandbox).streams.orders as Rec[];
    const customer = (truthOf(sandbox).streams.customers as Rec[])[20];
    sandbox.mutate({ op: 'update', resource: 'orders', ids: [oldest.id] });
    sandbox.mutate({ op: 'update', resource: 'customers', ids: [customer.id] });
    const statusOf = async () => (await query(db, `SELECT CAST(status AS VARCHAR) AS s FROM orders WHERE id = ${oldest.id}`))[0].s;
    const before = await statusOf();

    expect((await runSync(args)).code).toBe(0);
    expect(await statusOf()).not.toBe(before);
    const truth = asTableTruth(truthOf(sandbox));
    for (const stream of ['orders', 'customers']) {
      const rows = await tableRecords(db, stream);
      expect(rows.length).toBe(truth.streams[stream].length); // one row per key
      expect(describeDiff(stream, compareToTruth(stream, rows, truth))).toEqual([]);
    }
  } finally {
    work.cleanup();
    await sandbox.close();
  }
});
