/**
 * `npm run demo`: the whole connector against the embedded sandbox, in one go.
 * check, discover, a full read of all 14 streams, a change in the shop, an
 * incremental read from the saved state; then a table, and exit 0 only if every
 * stream matched the sandbox's ground truth. Last, `npm run sync`'s script
 * loads the shop into .demo/shop.duckdb and a few example queries run on it;
 * an order changes and another is deleted, and the next sync shows both in DuckDB.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { table } from 'table';

import { DuckDBInstance } from '@duckdb/node-api';

import { runExampleQueries } from '../local-sync/example-queries';
import { startSandbox } from '../sandbox/server';
import { ROOT, lastStates, recordsOf, runConnector, streamSeconds } from './run-connector';
import { STREAM_ROW } from './streams';
import { compareToTruth, describeDiff, isClean, truthOf } from './truth-check';

const { values: opts } = parseArgs({ options: { vendor: { type: 'boolean', default: false } } });
const OUT = path.join(ROOT, '.demo');

async function main(): Promise<number> {
  fs.mkdirSync(OUT, { recursive: true });
  const file = (name: string) => path.join(OUT, name);
  // The vendor's bucket (40 requests) drains 2 per second; both sides run 10x faster here
  // so that the demo takes seconds, and the connector is told the same numbers.
  const sandbox = await startSandbox({ rateLimitCapacity: 40, rateLimitPerSecond: 20, vendor: opts.vendor });
  try {
    console.log(`Sandbox shop API on ${sandbox.url}${opts.vendor ? ' (vendor dialect)' : ''}`);
    const config = {
      api_key: 'demo_key',
      api_secret: 'demo_secret',
      base_url: sandbox.url,
      rate_limit_capacity: 40,
      rate_limit_per_second: 20,
      ...(opts.vendor && { page_size_parameter: 'count' }),
    };
    fs.writeFileSync(file('config.json'), JSON.stringify(config, null, 2));
    const catalogFile = path.join(ROOT, 'test_files', 'incremental_catalog.json');

    const check = await runConnector(['check', '--config', file('config.json')], file('check.jsonl'));
    const status = check.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
    console.log(`check: ${status?.status} — ${status?.message}`);
    const discover = await runConnector(['discover', '--config', file('config.json')], file('discover.jsonl'));
    const streams: Array<{ name: string; source_defined_primary_key: string[][] }> =
      discover.messages.find((m) => m.type === 'CATALOG')?.catalog.streams ?? [];
    console.log(`discover: ${streams.length} streams`);

    const before = truthOf(sandbox); // truth() is live: keep this moment's copy
    sandbox.resetCounters();
    const first = await runConnector(['read', '--config', file('config.json'), '--catalog', catalogFile], file('sync1.jsonl'));
    const firstRequests = sandbox.counters();
    fs.writeFileSync(file('state1.json'), JSON.stringify(lastStates(first), null, 2));

    const changes = sandbox.mutate({ op: 'touch_all' });
    // Orders and customers change after creation (a status, a name): the events log names them, sync 2 reads them again.
    const oldest = before.streams.orders[0] as { id: number };
    const customer = before.streams.customers[0] as { id: number };
    changes.updated.orders = sandbox.mutate({ op: 'update', resource: 'orders', ids: [oldest.id] }).updated.orders;
    changes.updated.customers = sandbox.mutate({ op: 'update', resource: 'customers', ids: [customer.id] }).updated.customers;
    const after = truthOf(sandbox);
    sandbox.resetCounters();
    const second = await runConnector(
      ['read', '--config', file('config.json'), '--catalog', catalogFile, '--state', file('state1.json')],
      file('sync2.jsonl')
    );
    const secondRequests = sandbox.counters();
    fs.writeFileSync(file('state2.json'), JSON.stringify(lastStates(second), null, 2));

    const rows = [['stream', 'sync 1', 'sync 2', 'requests', 'seconds', 'final state', 'matches truth']];
    let ok = status?.status === 'SUCCEEDED' && streams.length === 14 && first.code === 0 && second.code === 0;
    for (const { name } of streams) {
      // The sandbox reports changes by the key its current form uses (vendor zones: id).
      const row = STREAM_ROW[name];
      const changeKey = opts.vendor ? (row.vendorKey ?? row.pk) : row.pk;
      const sync1 = recordsOf(first, name);
      const sync2 = recordsOf(second, name);
      const full = compareToTruth(name, sync1, before);
      // After the change the destination holds both syncs merged by key; it must equal the new truth.
      const merged = compareToTruth(name, [...sync1, ...sync2], after, { merge: true });
      const changed = [...(changes.inserted[name as never] ?? []), ...(changes.updated[name as never] ?? [])] as unknown[];
      const missedChanges = changed.filter((id) => !sync2.some((r) => r[changeKey] === id));
      const good = isClean(full) && isClean(merged) && missedChanges.length === 0;
      ok &&= good;
      const state = lastStates(second).find((s: any) => s.stream.stream_descriptor.name === name) as any;
      rows.push([
        name,
        String(sync1.length),
        String(sync2.length),
        `${firstRequests.byResource[name as never] ?? 0} + ${secondRequests.byResource[name as never] ?? 0}`,
        `${(streamSeconds(first, name) ?? 0).toFixed(1)} + ${(streamSeconds(second, name) ?? 0).toFixed(1)}`,
        state && Object.keys(state.stream.stream_state).length ? Object.values(state.stream.stream_state).join(' ') : '(full refresh)',
        good ? 'yes' : `NO: ${[...describeDiff('sync 1', full), ...describeDiff('merged', merged)].join(' ') || `missed changes ${missedChanges}`}`,
      ]);
    }
    console.log(table(rows));
    console.log(
      `Requests: ${firstRequests.requests} + ${secondRequests.requests}, throttled (429): ${firstRequests.rateLimited + secondRequests.rateLimited}; ` +
        `wall time ${first.seconds.toFixed(1)} s + ${second.seconds.toFixed(1)} s.`
    );
    console.log(`Messages: ${file('sync1.jsonl')}, ${file('sync2.jsonl')}`);
    console.log(`State:    ${file('state1.json')}, ${file('state2.json')}`);
    console.log(ok ? 'Every stream matched the sandbox ground truth.' : 'MISMATCH: see the table above.');

    const db = file('shop.duckdb');
    fs.rmSync(db, { force: true });
    fs.rmSync(`${db}.wal`, { force: true });
    console.log(`\nnpm run sync -- --config ${file('config.json')} --db ${db}`);
    const synced = await runLocalSync(['--config', file('config.json'), '--db', db]);
    ok &&= synced === 0;
    if (synced === 0) {
      for (const q of await runExampleQueries(db)) console.log(`${q.title}:\n${q.sql}\n${table(q.rows)}`);
    }

    // Fresh data: an order's status changes in the shop and another order is deleted; the next sync brings
    // the new status into DuckDB and takes the deleted order out (the connector's deletion record).
    const [, order, doomed] = truthOf(sandbox).streams.orders as Array<{ id: number }>;
    const statusBefore = await orderStatus(db, order.id);
    const doomedBefore = await orderStatus(db, doomed.id);
    sandbox.mutate({ op: 'update', resource: 'orders', ids: [order.id] });
    sandbox.mutate({ op: 'delete', resource: 'orders', ids: [doomed.id] });
    const shopName = (truthOf(sandbox).streams.orders as Array<{ id: number; status: { name: string } }>).find((o) => o.id === order.id)!.status.name;
    console.log(`\nOrder ${order.id}'s status changes in the shop to ${shopName}, and order ${doomed.id} is deleted; npm run sync again (incremental):`);
    ok &&= (await runLocalSync(['--config', file('config.json'), '--db', db])) === 0;
    const statusAfter = await orderStatus(db, order.id);
    const arrived = statusAfter === shopName && statusAfter !== statusBefore;
    const doomedAfter = await orderStatus(db, doomed.id);
    const left = doomedBefore !== NO_ROW && doomedAfter === NO_ROW;
    ok &&= arrived && left;
    console.log(
      table([
        ['order', 'in the shop', 'status in DuckDB before', 'after the second sync', 'matches the shop'],
        [String(order.id), shopName, statusBefore, statusAfter, arrived ? 'yes' : 'NO'],
        [String(doomed.id), '(deleted)', doomedBefore, doomedAfter, left ? 'yes' : 'NO'],
      ])
    );
    return ok ? 0 : 1;
  } finally {
    await sandbox.close();
  }
}

const NO_ROW = '(no row)';

/** The name of an order's status as the DuckDB file holds it (the status is an object: id, name, type, sortOrder). */
async function orderStatus(file: string, id: number): Promise<string> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const db = await instance.connect();
  try {
    const rows = (await db.runAndReadAll(`SELECT status->>'$.name' FROM orders WHERE id = ${Number(id)}`)).getRowsJson();
    return rows.length ? String(rows[0][0]) : NO_ROW;
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

/** The local sync as its own process (as `npm run sync` runs it), its summary shown, progress lines not. */
function runLocalSync(args: string[]): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'local-sync', 'cli.ts'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      if (code !== 0) process.stderr.write(stderr);
      resolve(code);
    })
  );
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  }
);
