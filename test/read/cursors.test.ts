/**
 * src/read/cursors.ts on its own: each stream's cursor is the one owner of its
 * state (what it reads, the server parameters it sends, which records it
 * emits, its checkpoints and final state). No HTTP: these reads need no change
 * feed. End to end: test/guarantees/checkpoints.test.ts, test/acceptance/fresh-data*.test.ts.
 */
import { AirbyteLogger } from 'faros-airbyte-cdk';

import { parseConfig } from '../../src/config/config';
import type { ApiClient } from '../../src/http';
import { ConnectorState } from '../../src/protocol';
import { CHECKPOINT_EVERY_RECORDS, Cursors } from '../../src/read/cursors';
import { CHECKPOINT_EVERY_PRODUCTS, RESUME_KEY } from '../../src/read/child-resume';
import { ProductList, Slice } from '../../src/read/product-list';
import { StreamContext } from '../../src/streams/base';
import { Orders } from '../../src/streams/orders';
import { ProductsReviews } from '../../src/streams/products-reviews';
import { Themes } from '../../src/streams/themes';

const logger = { info: () => undefined, warn: () => undefined } as unknown as AirbyteLogger;
const config = (extra: Record<string, unknown> = {}) => parseConfig({ api_key: 'key', api_secret: 'secret', base_url: 'http://127.0.0.1:1', ...extra }, {});
const noClient = {} as ApiClient;
const ctx = (cfg = config()) => ({ config: cfg, client: noClient, products: {} as ProductList, pageCap: undefined, logger }) as unknown as StreamContext;

async function cursorOf(stream: Orders | Themes | ProductsReviews, incremental: boolean, state: ConnectorState, cfg = config()) {
  const cursors = new Cursors([stream], [{ name: stream.name, syncMode: incremental ? 'incremental' : 'full_refresh' }], state, { config: cfg, client: noClient, logger });
  return cursors.open(stream, incremental);
}

const at = (iso: string) => ({ id: iso, created_at_utc: iso });

describe('the incremental cursor', () => {
  it('asks orders from the saved state less the 24 h margin, sorted by date, and emits only records at or after the state', async () => {
    const saved = '2024-03-02T00:00:00.000Z';
    const cursor = await cursorOf(new Orders(ctx(config({ lookback_days: 0 }))), true, { orders: { created_at_utc: saved } }, config({ lookback_days: 0 }));
    expect(cursor.requestParams).toEqual({ from: Date.parse(saved) / 1000 - 24 * 60 * 60, sort: 'date' });
    expect(cursor.accepts(at('2024-03-01T23:59:59Z'))).toBe(false);
    expect(cursor.accepts(at(saved))).toBe(true);
    expect(cursor.accepts(at('2024-03-05T00:00:00Z'))).toBe(true);
    // No change feed was read (no events stream in this run): the final state starts the feed at the new cursor.
    expect(cursor.final(Date.parse('2024-03-04T00:00:00Z'))).toEqual({ created_at_utc: '2024-03-04T00:00:00.000Z', changes_since: '2024-03-04T00:00:00.000Z' });
  });

  it('widens the saved state by the lookback window, and sends no server filter when use_order_filters is off', async () => {
    const cfg = config({ lookback_days: 2, use_order_filters: false });
    const cursor = await cursorOf(new Orders(ctx(cfg)), true, { orders: { created_at_utc: '2024-03-10T00:00:00Z' } }, cfg);
    expect(cursor.requestParams).toBeUndefined();
    expect(cursor.accepts(at('2024-03-08T00:00:00Z'))).toBe(true);
    expect(cursor.accepts(at('2024-03-07T23:59:59Z'))).toBe(false);
  });

  it('checkpoints every 1000 records with the state it started from, never a later cursor', async () => {
    const cursor = await cursorOf(new Themes(ctx()), true, { themes: { created_at_utc: '2024-01-01T00:00:00Z' } });
    expect(cursor.accepts(at('2024-06-01T00:00:00Z'))).toBe(true);
    expect(cursor.recordsDone(CHECKPOINT_EVERY_RECORDS - 1)).toBeUndefined();
    expect(cursor.recordsDone(1)).toEqual({ created_at_utc: '2024-01-01T00:00:00.000Z' });
    expect(cursor.recordsDone(1)).toBeUndefined();
    expect(cursor.final(Date.parse('2025-01-01T00:00:00Z'))).toEqual({ created_at_utc: '2024-06-01T00:00:00.000Z' });
  });
});

describe('the full refresh cursor', () => {
  async function* products(n: number): AsyncGenerator<Slice> {
    for (let id = 1; id <= n; id++) yield { prd_id: id };
  }

  it("of a per-product stream checkpoints the finished prefix of products, keeps the rest of the state, and drops the position at the end", async () => {
    const cursor = await cursorOf(new ProductsReviews(ctx()), false, { products_reviews: { created_at_utc: 'kept' } });
    const states: Array<Record<string, unknown>> = [];
    for await (const { seq } of cursor.pending(products(CHECKPOINT_EVERY_PRODUCTS + 3))) {
      const state = cursor.sliceDone(seq);
      if (state) states.push(state);
    }
    expect(states).toEqual([{ created_at_utc: 'kept', [RESUME_KEY]: expect.objectContaining({ products_done: CHECKPOINT_EVERY_PRODUCTS, last_product: CHECKPOINT_EVERY_PRODUCTS }) }]);
    expect(cursor.final(Date.now())).toEqual({ created_at_utc: 'kept' });
  });

  it('of a list keeps the state it was given and, with start_date, emits only records from it on', async () => {
    const cfg = config({ start_date: '2024-02-01T00:00:00Z' });
    const cursor = await cursorOf(new Themes(ctx(cfg)), false, { themes: { created_at_utc: '2023-01-01T00:00:00Z' } }, cfg);
    expect(cursor.start).toBe('full refresh');
    expect(cursor.accepts(at('2024-01-31T00:00:00Z'))).toBe(false);
    expect(cursor.accepts(at('2024-02-01T00:00:00Z'))).toBe(true);
    expect(cursor.recordsDone(5000)).toBeUndefined();
    expect(cursor.final(Date.now())).toEqual({ created_at_utc: '2023-01-01T00:00:00Z' });
  });
});
