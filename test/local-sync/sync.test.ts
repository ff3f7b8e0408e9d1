/**
 * `npm run sync` against the sandbox: two syncs with a shop change between
 * them leave every table equal to the sandbox's truth, merged by primary key;
 * a sync SIGKILLed after some commits and rerun loses nothing.
 */
import fs from 'node:fs';
import path from 'node:path';

import { startSandbox } from '../../sandbox/server';
import { STREAM_ROW, STREAM_NAMES } from '../../scripts/streams';
import { TruthSnapshot, compareToTruth, describeDiff, truthOf } from '../../scripts/truth-check';
import { configFor } from '../helpers/acceptance';
import { completionMarkOnly, workDir } from '../helpers/connector';
import { runExampleQueries } from '../../local-sync/example-queries';
import { asTableTruth, query, runSync, tableRecords } from '../helpers/local-sync';

jest.setTimeout(400_000);

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
const INCREMENTAL = STREAM_NAMES.filter((s) => STREAM_ROW[s].cursor);
const FULL_REFRESH = STREAM_NAMES.filter((s) => !STREAM_ROW[s].cursor);

let sandbox: Sandbox;
let work: ReturnType<typeof workDir>;
beforeEach(async () => {
  work = workDir();
});
afterEach(async () => {
  await sandbox?.close();
  work.cleanup();
});

/** Every table against a truth snapshot; `extra` allows keys the truth no longer has (deleted since they were synced). */
async function tableProblems(db: string, truth: TruthSnapshot, allowedExtra: Record<string, unknown[]> = {}): Promise<string[]> {
  const problems: string[] = [];
  const want = asTableTruth(truth);
  for (const stream of STREAM_NAMES) {
    const pk = STREAM_ROW[stream].pk;
    const [{ rows, keys }] = await query(db, `SELECT count(*) AS rows, count(DISTINCT "${pk}") AS keys FROM "${stream}"`);
    if (rows !== keys) problems.push(`${stream}: ${rows} rows for ${keys} keys`);
    const diff = compareToTruth(stream, await tableRecords(db, stream), want);
    const allowed = (allowedExtra[stream] ?? []).map((k) => JSON.stringify(k));
    diff.extra = diff.extra.filter((k) => !allowed.includes(k));
    problems.push(...describeDiff(stream, diff));
  }
  return problems;
}

const storedStates = async (db: string) =>
  Object.fromEntries((await query(db, `SELECT stream, state FROM _sync_state`)).map((r) => [r.stream, JSON.parse(String(r.state)).stream.stream_state]));

test('npm run sync twice with a shop change between: every table equals the truth, merged by key, the second sync incremental', async () => {
  sandbox = await startSandbox({ rateLimitCapacity: 0 });
  const config = work.write('config.json', configFor(sandbox.url));
  const db = path.join(work.dir, 'shop.duckdb');

  const before = truthOf(sandbox);
  const first = await runSync(['--config', config, '--db', db], { viaNpm: true });
  expect(first.code).toBe(0);
  expect(await tableProblems(db, before)).toEqual([]);
  const states1 = await storedStates(db);
  // Every stream's final STATE is stored; a full refresh one holds nothing to continue from (a per-product one, its run's completion mark).
  expect(Object.keys(states1).sort()).toEqual([...STREAM_NAMES].sort());
  for (const s of FULL_REFRESH) expect([s, states1[s]]).toEqual([s, STREAM_ROW[s].parent ? completionMarkOnly() : {}]);
  // A user's first queries: the status object's fields are read with ->>, a reference compares as a number.
  const beforeOrders = before.streams.orders as Array<Record<string, any>>;
  const shipped = beforeOrders.filter((o) => o.status?.type === 'shipped').length;
  expect(shipped).toBeGreaterThan(0);
  expect(Number((await query(db, `SELECT count(*) AS n FROM orders WHERE status->>'type' = 'shipped'`))[0].n)).toBe(shipped);
  expect(await query(db, `SELECT id FROM orders WHERE reference = ${beforeOrders[7].reference}`)).toEqual([{ id: BigInt(beforeOrders[7].id) }]);

  // The change: new records everywhere, two products updated, an image and an order deleted.
  const changes = sandbox.mutate({ op: 'touch_all' });
  const [image] = truthOf(sandbox).streams.products_images as Array<{ id: number }>;
  const [order] = truthOf(sandbox).streams.orders as Array<Record<string, any>>;
  sandbox.mutate({ op: 'delete', resource: 'products_images', ids: [image.id] });
  sandbox.mutate({ op: 'delete', resource: 'orders', ids: [order.id] });
  const updatedProducts = changes.updated.products as number[];

  const second = await runSync(['--config', config, '--db', db]);
  expect(second.code).toBe(0);
  // Incremental from the stored state: the summary's "records read" for orders is the new ones (and the
  // re-read at the cursor), not all of them again.
  const ordersRead = Number(second.stdout.match(/║ orders +│ incremental +│ COMPLETE +│ (\d+) /)?.[1]);
  expect(ordersRead).toBeGreaterThanOrEqual(2);
  expect(ordersRead).toBeLessThan(before.streams.orders.length);
  // A deleted record of an incremental stream stays in its table (its deletion is not in any read);
  // a full-refresh table is replaced by the complete read, so the deleted image is gone.
  expect(await tableProblems(db, truthOf(sandbox), { orders: [order.id] })).toEqual([]);
  expect(await query(db, `SELECT id FROM products_images WHERE id = ${image.id}`)).toEqual([]);
  const products = await tableRecords(db, 'products');
  const truthProducts = asTableTruth(truthOf(sandbox)).streams.products;
  for (const id of updatedProducts) {
    expect(products.find((p) => p.id === id)).toEqual(truthProducts.find((p) => p.id === id));
  }
  const states2 = await storedStates(db);
  expect(states2.products.updated_at_utc > states1.products.updated_at_utc).toBe(true);
  // The summary table is printed, with one line per table.
  for (const stream of STREAM_NAMES) expect(second.stdout).toMatch(new RegExp(`║ ${stream} +│`));
  expect(second.stderr).toMatch(/\[sync\] orders: done, \d+ records, \d+ records\/s/);

  // The demo's example queries answer what the shop's truth says (computed here from the truth, not the file).
  const [revenue, topRated] = await runExampleQueries(db);
  const truth = truthOf(sandbox).streams as Record<string, Array<Record<string, any>>>;
  const orders = [...truth.orders, order]; // the deleted order is still in the table (see above)
  const counted = orders.filter((o) => o.status.type !== 'cancelled' && o.refunds.length === 0);
  expect(counted.length).toBeLessThan(orders.length); // the shop has cancelled and refunded orders to leave out
  const byDay = new Map<string, { n: number; sum: number }>();
  for (const o of counted) {
    const day = new Date(o.created_at_utc).toISOString().slice(0, 10);
    const d = byDay.get(day) ?? { n: 0, sum: 0 };
    byDay.set(day, { n: d.n + 1, sum: d.sum + o.total });
  }
  const days = [...byDay].sort((a, b) => (a[0] < b[0] ? 1 : -1)).slice(0, 5);
  expect(revenue.rows.slice(1)).toEqual(days.map(([day, d]) => [day, String(d.n), String(Math.round(d.sum * 100) / 100)]));
  const ratings = new Map<number, number[]>();
  const productOf = truthOf(sandbox).parents.products_reviews; // reviews name no product; the sandbox knows where it filed each
  for (const r of truth.products_reviews) {
    const product = productOf[String(r.id)];
    ratings.set(product, [...(ratings.get(product) ?? []), r.rating]);
  }
  const top = [...ratings]
    .filter(([, rs]) => rs.length >= 3)
    .map(([id, rs]) => ({ id, n: rs.length, avg: Math.round((rs.reduce((a, b) => a + b, 0) / rs.length) * 100) / 100 }))
    .sort((a, b) => b.avg - a.avg || b.n - a.n || a.id - b.id)
    .slice(0, 5);
  expect(topRated.rows.slice(1)).toEqual(
    top.map((t) => [String(t.id), truth.products.find((p) => p.id === t.id)!.title, String(t.n), String(t.avg)])
  );
});

test('a sync SIGKILLed after some commits keeps rows and states consistent, and a rerun loses nothing', async () => {
  sandbox = await startSandbox({ rateLimitCapacity: 0, latencyMs: 25 });
  const config = work.write('config.json', configFor(sandbox.url));
  const db = path.join(work.dir, 'shop.duckdb');
  const before = truthOf(sandbox);

  // Killed (with the connector it spawned) once the first incremental stream has completed and committed.
  const killed = await runSync(['--config', config, '--db', db], {
    onStderr: (text, killGroup) => {
      if (INCREMENTAL.some((s) => text.includes(`[sync] ${s}: done`))) killGroup();
    },
  });
  expect(killed.signal).toBe('SIGKILL');

  // What was committed is consistent: no state ahead of its rows, no partial full-refresh table.
  const states = await storedStates(db);
  expect(Object.keys(states).length).toBeGreaterThan(0);
  const truth = asTableTruth(before);
  for (const [stream, state] of Object.entries(states)) {
    const cursor = STREAM_ROW[stream].cursor!;
    const rows = await tableRecords(db, stream);
    const covered = truth.streams[stream].filter((r) => String(r[cursor]) <= String((state as Record<string, string>)[cursor]));
    const missing = covered.filter((r) => !rows.some((row) => row.id === r.id));
    expect({ stream, missing: missing.map((r) => r.id) }).toEqual({ stream, missing: [] });
  }
  for (const stream of FULL_REFRESH) {
    const [{ n }] = await query(db, `SELECT count(*) AS n FROM "${stream}"`);
    expect([0, before.streams[stream].length]).toContain(Number(n));
  }
  const committed = Object.fromEntries(
    await Promise.all(STREAM_NAMES.map(async (s) => [s, (await query(db, `SELECT count(*) AS n FROM "${s}"`))[0].n] as const))
  );

  const rerun = await runSync(['--config', config, '--db', db]);
  expect(rerun.code).toBe(0);
  expect(await tableProblems(db, truthOf(sandbox))).toEqual([]);
  for (const stream of STREAM_NAMES) {
    const [{ n }] = await query(db, `SELECT count(*) AS n FROM "${stream}"`);
    expect(Number(n)).toBeGreaterThanOrEqual(Number(committed[stream]));
  }
});

test('the DuckDB file and every line printed hold no API key or secret', async () => {
  sandbox = await startSandbox({ rateLimitCapacity: 0, apiKey: 'k_live_2b7f1c9e', apiSecret: 's_live_93ad0e44' });
  const config = work.write('config.json', configFor(sandbox.url, { api_key: 'k_live_2b7f1c9e', api_secret: 's_live_93ad0e44' }));
  const db = path.join(work.dir, 'shop.duckdb');
  const run = await runSync(['--config', config, '--db', db, '--streams', 'themes,countries']);
  expect(run.code).toBe(0);
  const bytes = fs.readFileSync(db);
  const wal = fs.existsSync(`${db}.wal`) ? fs.readFileSync(`${db}.wal`) : Buffer.alloc(0);
  for (const secret of ['k_live_2b7f1c9e', 's_live_93ad0e44']) {
    expect(run.stdout + run.stderr).not.toContain(secret);
    expect(bytes.includes(secret)).toBe(false);
    expect(wal.includes(secret)).toBe(false);
  }
  expect((await query(db, `SELECT table_name FROM information_schema.tables ORDER BY 1`)).map((r) => r.table_name)).toEqual([
    '_sync_meta',
    '_sync_state',
    'countries',
    'themes',
  ]);
});

test('against the vendor dialect (camelCase fields, RFC 2822 dates, numeric references): one sync equals the truth', async () => {
  sandbox = await startSandbox({ rateLimitCapacity: 0, vendor: true });
  const config = work.write('config.json', configFor(sandbox.url, { page_size_parameter: 'count' }));
  const db = path.join(work.dir, 'shop.duckdb');
  const run = await runSync(['--config', config, '--db', db]);
  expect(run.code).toBe(0);
  expect(await tableProblems(db, truthOf(sandbox))).toEqual([]);
  // The vendor's status is an object {id, name, type, sortOrder}: queryable as JSON in the same column.
  const orders = truthOf(sandbox).streams.orders as Array<Record<string, any>>;
  const shipped = orders.filter((o) => o.status?.type === 'shipped').length;
  expect(shipped).toBeGreaterThan(0);
  expect(Number((await query(db, `SELECT count(*) AS n FROM orders WHERE status->>'type' = 'shipped'`))[0].n)).toBe(shipped);
  // One set of fields: no near-twin columns such as `subtotal` and `subTotal_2`.
  const columns = (await query(db, `SELECT column_name FROM information_schema.columns WHERE table_name = 'orders'`)).map((r) => r.column_name);
  expect(columns).toEqual(expect.arrayContaining(['subTotal', 'status', 'created_at_utc']));
  expect(columns.filter((c) => /_\d+$/.test(String(c)))).toEqual([]);
});
