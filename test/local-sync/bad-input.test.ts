/**
 * `npm run sync` on bad input: an unwritable path, a file another tool wrote,
 * a table whose columns conflict with the schema, a schema that gained a
 * column. Each ends in one clear line (or, for the new column, an ALTER TABLE)
 * and loses nothing already stored.
 */
import fs from 'node:fs';
import path from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';

import { startSandbox } from '../../sandbox/server';
import { configFor } from '../helpers/acceptance';
import { workDir } from '../helpers/connector';
import { query, runSync } from '../helpers/local-sync';

jest.setTimeout(240_000);

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let work: ReturnType<typeof workDir>;
let config: string;
beforeAll(async () => {
  sandbox = await startSandbox({ rateLimitCapacity: 0 });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  work = workDir();
  config = work.write('config.json', configFor(sandbox.url));
});
afterEach(() => work.cleanup());

async function exec(file: string, sql: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const db = await instance.connect();
  for (const s of sql) await db.run(s);
  db.closeSync();
  instance.closeSync();
}

const oneLine = (stderr: string) => stderr.trim().split('\n').filter((l) => l.startsWith('sync: '));

test('a --db in a folder that does not exist, or under a file: exit 2 with one clear line, nothing created', async () => {
  const missing = path.join(work.dir, 'no-such-folder', 'shop.duckdb');
  const run = await runSync(['--config', config, '--db', missing, '--streams', 'themes']);
  expect(run.code).toBe(2);
  expect(oneLine(run.stderr)).toEqual([`sync: Cannot create ${missing}: the folder ${path.dirname(missing)} does not exist.`]);
  expect(fs.existsSync(path.dirname(missing))).toBe(false);

  const underFile = path.join(work.write('a-file.txt', 'hello'), 'shop.duckdb');
  const run2 = await runSync(['--config', config, '--db', underFile, '--streams', 'themes']);
  expect(run2.code).toBe(2);
  expect(oneLine(run2.stderr)[0]).toMatch(new RegExp(`^sync: Cannot open ${underFile} as a DuckDB database: `));
  expect(fs.readFileSync(path.join(work.dir, 'a-file.txt'), 'utf8')).toBe('hello');
});

test('a file that is not a DuckDB database is refused and left as it was', async () => {
  const file = work.write('notes.duckdb', 'not a database\n'.repeat(500));
  const run = await runSync(['--config', config, '--db', file, '--streams', 'themes']);
  expect(run.code).toBe(2);
  expect(oneLine(run.stderr)[0]).toMatch(new RegExp(`^sync: Cannot open ${file} as a DuckDB database: `));
  expect(fs.readFileSync(file, 'utf8')).toBe('not a database\n'.repeat(500));
});

test("a DuckDB file another tool wrote (no state table of ours, an orders table of its own) is refused, its data untouched", async () => {
  const file = path.join(work.dir, 'theirs.duckdb');
  await exec(file, ['CREATE TABLE orders (order_no INTEGER, amount DECIMAL(10,2))', 'INSERT INTO orders VALUES (1, 9.99), (2, 19.50)']);
  const run = await runSync(['--config', config, '--db', file]);
  expect(run.code).toBe(2);
  expect(oneLine(run.stderr)).toEqual([
    `sync: ${file} already holds tables this tool did not create (orders); nothing was changed. Use a new --db file.`,
  ]);
  expect(await query(file, 'SELECT table_name FROM information_schema.tables')).toEqual([{ table_name: 'orders' }]);
  expect(await query(file, 'SELECT order_no, CAST(amount AS VARCHAR) AS amount FROM orders ORDER BY 1')).toEqual([
    { order_no: 1, amount: '9.99' },
    { order_no: 2, amount: '19.50' },
  ]);
});

test('a table whose column type conflicts with the schema: exit 2 naming table and column, rows and state kept', async () => {
  const file = path.join(work.dir, 'shop.duckdb');
  expect((await runSync(['--config', config, '--db', file, '--streams', 'orders'])).code).toBe(0);
  await exec(file, ['ALTER TABLE orders ALTER total TYPE VARCHAR']);
  const rowsBefore = await query(file, 'SELECT * EXCLUDE (_synced_at) FROM orders ORDER BY id');
  const stateBefore = await query(file, 'SELECT * FROM _sync_state');
  const run = await runSync(['--config', config, '--db', file, '--streams', 'orders']);
  expect(run.code).toBe(2);
  expect(oneLine(run.stderr)[0]).toMatch(/^sync: Table orders in .*: column total is VARCHAR but the stream's schema now says DOUBLE\. Nothing was changed/);
  expect(await query(file, 'SELECT * EXCLUDE (_synced_at) FROM orders ORDER BY id')).toEqual(rowsBefore);
  expect(await query(file, 'SELECT * FROM _sync_state')).toEqual(stateBefore);
});

test('a schema that gained a column: the column is added with ALTER TABLE, old rows kept, new rows fill it', async () => {
  const file = path.join(work.dir, 'shop.duckdb');
  expect((await runSync(['--config', config, '--db', file, '--streams', 'orders'])).code).toBe(0);
  // The table as an older schema without `comments` would have made it.
  await exec(file, ['ALTER TABLE orders DROP COLUMN comments']);
  const ids = (await query(file, 'SELECT id FROM orders ORDER BY id')).map((r) => Number(r.id));
  sandbox.mutate({ op: 'insert', resource: 'orders', count: 1 });
  const run = await runSync(['--config', config, '--db', file, '--streams', 'orders']);
  expect(run.code).toBe(0);
  expect(run.stderr).toContain('[sync] orders: new column comments VARCHAR (older rows have NULL)');
  const after = await query(file, 'SELECT id, comments FROM orders ORDER BY id');
  expect(after.map((r) => Number(r.id)).slice(0, ids.length)).toEqual(ids);
  expect(after.length).toBe(ids.length + 1);
  const truthComments = () => new Map((sandbox.truth().orders as Array<{ id: number; comments: string | null }>).map((o) => [o.id, o.comments ?? null]));
  const [newOrder] = after.slice(ids.length);
  expect(newOrder.comments).toBe(truthComments().get(Number(newOrder.id)));
  // A full refresh fills the new column for every row.
  expect((await runSync(['--config', config, '--db', file, '--streams', 'orders', '--full-refresh'])).code).toBe(0);
  const refreshed = await query(file, 'SELECT id, comments FROM orders ORDER BY id');
  expect(refreshed.map((r) => [Number(r.id), r.comments])).toEqual([...truthComments()].sort((a, b) => a[0] - b[0]));
  expect(refreshed.some((r) => r.comments !== null)).toBe(true);
});

test('a file written when mixed-union columns were JSON: product_id becomes VARCHAR (text as text), rows kept, product_id = \'<id>\' answers', async () => {
  const file = path.join(work.dir, 'shop.duckdb');
  expect((await runSync(['--config', config, '--db', file, '--streams', 'products_reviews'])).code).toBe(0);
  // The column as the earlier JSON typing wrote it (product ids may be integers or strings: ["integer","string"]).
  await exec(file, [
    'ALTER TABLE products_reviews ADD COLUMN product_id_json JSON',
    'UPDATE products_reviews SET product_id_json = to_json(product_id)',
    'ALTER TABLE products_reviews DROP COLUMN product_id',
    'ALTER TABLE products_reviews RENAME COLUMN product_id_json TO product_id',
  ]);
  const parentOf = sandbox.parents().products_reviews;
  const reviewed = Object.values(parentOf)[0];
  const expected = Object.values(parentOf).filter((p) => p === reviewed).length;
  expect(expected).toBeGreaterThan(0);
  const run = await runSync(['--config', config, '--db', file, '--streams', 'products_reviews']);
  expect(run.code).toBe(0);
  expect(run.stderr).toContain('[sync] products_reviews: column product_id JSON → VARCHAR (text values as text, objects as their JSON text)');
  expect(Number((await query(file, `SELECT count(*) AS n FROM products_reviews WHERE product_id = '${reviewed}'`))[0].n)).toBe(expected);
  expect(Number((await query(file, 'SELECT count(*) AS n FROM products_reviews'))[0].n)).toBe(Object.keys(parentOf).length);
});

test('an unknown stream or a missing config: one clear line, exit 2', async () => {
  const file = path.join(work.dir, 'shop.duckdb');
  const run = await runSync(['--config', config, '--db', file, '--streams', 'orders,invoices']);
  expect(run.code).toBe(2);
  expect(oneLine(run.stderr)[0]).toMatch(/^sync: Unknown stream\(s\): invoices\. Streams: countries, pages, products/);
  const misspelt = await runSync(['--config', config, '--db', file, '--streams', 'order,invoices']);
  expect(misspelt.code).toBe(2);
  expect(oneLine(misspelt.stderr)[0]).toMatch(/^sync: Unknown stream\(s\): order, invoices \(did you mean orders\?\)\. Streams: /);
  const run2 = await runSync(['--config', path.join(work.dir, 'nope.json'), '--db', file]);
  expect(run2.code).toBe(2);
  expect(oneLine(run2.stderr)[0]).toMatch(/^sync: Cannot read the config .*nope\.json: ENOENT/);
});

test('a sync whose read fails (the API answers 500 to everything): exit 1 with the reason, last good rows and state kept', async () => {
  const file = path.join(work.dir, 'shop.duckdb');
  expect((await runSync(['--config', config, '--db', file, '--streams', 'orders,themes'])).code).toBe(0);
  const rowsBefore = await query(file, 'SELECT * FROM orders ORDER BY id');
  const stateBefore = await query(file, 'SELECT * FROM _sync_state ORDER BY stream');
  sandbox.mutate({ op: 'insert', resource: 'orders', count: 2 });
  sandbox.updateSettings({ faultRate: 1, faults: ['500'] });
  try {
    const run = await runSync(['--config', config, '--db', file, '--streams', 'orders,themes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\[sync\] FAILED: .*orders: (INCOMPLETE|NOT STARTED)/);
    expect(run.stderr).toContain(`[sync] ${file} keeps every row and state committed; the next sync continues from there.`);
  } finally {
    sandbox.updateSettings({ faultRate: 0 });
  }
  expect(await query(file, 'SELECT * FROM orders ORDER BY id')).toEqual(rowsBefore);
  expect(await query(file, 'SELECT * FROM _sync_state ORDER BY stream')).toEqual(stateBefore);
  // And the next sync picks up from there.
  expect((await runSync(['--config', config, '--db', file, '--streams', 'orders,themes'])).code).toBe(0);
  expect(Number((await query(file, 'SELECT count(*) AS n FROM orders'))[0].n)).toBe(sandbox.truth().orders.length);
});
