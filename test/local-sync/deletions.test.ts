/**
 * Deletion records (issue 32) in the local DuckDB sync. The shop deletes an
 * order, a customer and a product between two syncs; the second sync runs the
 * real connector process against the sandbox, which emits their deletion
 * records itself (Airbyte's CDC form: the key, the cursor field,
 * `_ab_cdc_deleted_at`), through the same `sync` the CLI runs. After it every
 * table must equal the sandbox's truth: nothing of them left, nothing else
 * removed. Two deletion records the connector never writes (a cursor older than
 * the stored row or than a record of the same read) are added to its output to
 * show that Airbyte's dedup rule keeps those rows.
 */
import path from 'node:path';

import { connectorProcess, Connector, Message } from '../../local-sync/connector-process';
import { sync } from '../../local-sync/sync';
import { startSandbox } from '../../sandbox/server';
import { compareToTruth, describeDiff, truthOf } from '../../scripts/truth-check';
import { configFor } from '../helpers/acceptance';
import { workDir } from '../helpers/connector';
import { asTableTruth, query, runSync, tableRecords } from '../helpers/local-sync';

jest.setTimeout(300_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const STREAMS = ['orders', 'customers', 'products', 'products_reviews', 'products_images', 'product_options', 'products_variations'];

/** The connector's own read (its messages kept in `seen`), with `extra[stream]`'s records emitted just before that stream reports COMPLETE. */
function withRecordsBeforeComplete(extra: Record<string, Rec[]>, seen: Message[]): Connector {
  return {
    discover: connectorProcess.discover,
    read: (args, onMessage) =>
      connectorProcess.read(args, async (m: Message) => {
        seen.push(m);
        const stream = m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS' && m.trace.stream_status.status === 'COMPLETE' ? m.trace.stream_status.stream_descriptor.name : undefined;
        for (const data of (stream && extra[stream]) || []) await onMessage({ type: 'RECORD', record: { stream, data, emitted_at: Date.now() } });
        await onMessage(m);
      }),
  };
}

test("the connector's deletion records remove the order, customer and product (with its reviews, images, options, variations); a deletion with an older cursor than the row or record removes nothing", async () => {
  const sandbox = await startSandbox({ rateLimitCapacity: 0 });
  const work = workDir();
  try {
    const config = work.write('config.json', configFor(sandbox.url));
    const db = path.join(work.dir, 'shop.duckdb');
    expect((await runSync(['--config', config, '--db', db, '--streams', STREAMS.join(',')])).code).toBe(0);

    const before = truthOf(sandbox);
    const [order, staleTarget] = (before.streams.orders as Rec[]).slice(3, 5);
    const customer = (before.streams.customers as Rec[])[5];
    const productId = Object.values(before.parents.products_reviews)[0];
    const product = (before.streams.products as Rec[]).find((p) => p.id === productId)!;
    // Read again in this sync (the products list is read whole), before the deletion record that follows it.
    const keptProduct = (before.streams.products as Rec[]).find((p) => p.id !== productId)!;
    const childCount = async (stream: string) => Number((await query(db, `SELECT count(*) AS n FROM ${stream} WHERE product_id = ${productId}`))[0].n);
    expect(await childCount('products_reviews')).toBeGreaterThan(0);

    sandbox.mutate({ op: 'delete', resource: 'orders', ids: [order.id] });
    sandbox.mutate({ op: 'delete', resource: 'customers', ids: [customer.id] });
    sandbox.mutate({ op: 'delete', resource: 'products', ids: [product.id] });
    const deletedAt = new Date().toISOString();
    const olderThan = (iso: string) => new Date(Date.parse(iso) - 60_000).toISOString();
    // Deletion records the connector never writes: its own (for order, customer, product) come from the connector.
    const stale = {
      // A deletion whose cursor is older than the stored row loses to it (Airbyte keeps that row).
      orders: [{ id: staleTarget.id, created_at_utc: olderThan(staleTarget.created_at_utc), _ab_cdc_deleted_at: deletedAt }],
      // Later in the read but with an older cursor than the live record: the live record wins.
      products: [{ id: keptProduct.id, updated_at_utc: olderThan(keptProduct.updated_at_utc), _ab_cdc_deleted_at: deletedAt }],
    };

    let stdout = '';
    const emitted: Message[] = [];
    const code = await sync(
      { config, db, streams: STREAMS, fullRefresh: false, err: () => undefined, out: (text) => (stdout += text) },
      withRecordsBeforeComplete(stale, emitted)
    );
    expect(code).toBe(0);
    // The connector's own deletion records: one each, for what the shop deleted.
    const own = (stream: string) =>
      emitted.filter((m) => m.type === 'RECORD' && m.record.stream === stream && m.record.data._ab_cdc_deleted_at).map((m) => m.type === 'RECORD' && m.record.data.id);
    expect([own('orders'), own('customers'), own('products')]).toEqual([[order.id], [customer.id], [product.id]]);

    const truth = asTableTruth(truthOf(sandbox));
    expect(truth.streams.orders.some((o) => o.id === staleTarget.id)).toBe(true);
    expect(truth.streams.products.some((p) => p.id === keptProduct.id)).toBe(true);
    for (const stream of STREAMS) {
      const rows = await tableRecords(db, stream);
      expect([stream, describeDiff(stream, compareToTruth(stream, rows, truth))]).toEqual([stream, []]);
    }
    for (const stream of ['products_reviews', 'products_images', 'product_options', 'products_variations']) {
      expect([stream, await childCount(stream)]).toEqual([stream, 0]);
    }
    // The summary counts the removed rows: one order (not the stale one), one customer, one product.
    expect(stdout).toMatch(/║ orders +│ incremental +│ COMPLETE +│ \d+ +│ \d+ +│ \d+ +│ 1 +│/);
    expect(stdout).toMatch(/║ customers +│ incremental +│ COMPLETE +│ \d+ +│ \d+ +│ \d+ +│ 1 +│/);
    expect(stdout).toMatch(/║ products +│ incremental +│ COMPLETE +│ \d+ +│ \d+ +│ \d+ +│ 1 +│/);
  } finally {
    work.cleanup();
    await sandbox.close();
  }
});
