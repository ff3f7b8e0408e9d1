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
import { CHECKPOINT_EVERY_PRODUCTS, COMPLETED_KEY, RESUME_KEY } from '../../src/read/child-resume';
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

const at = (iso: string): Record<string, unknown> => ({ id: iso, created_at_utc: iso });

describe('the incremental cursor', () => {
  it('asks orders from the saved state less the 24 h margin, sorted by date, and emits only records at or after the state', async () => {
    const saved = '2024-03-02T00:00:00.000Z';
    const cursor = await cursorOf(new Orders(ctx(config({ lookback_days: 0 }))), true, { orders: { created_at_utc: saved } }, config({ lookback_days: 0 }));
    expect(cursor.requestParams).toEqual({ from: Date.parse(saved) / 1000 - 24 * 60 * 60, sort: 'date' });
    expect(cursor.accepts(at('2024-03-01T23:59:59Z'))).toBe(false);
    expect(cursor.accepts(at(saved))).toBe(true);
    expect(cursor.accepts(at('2024-03-05T00:00:00Z'))).toBe(true);
    // No change feed was read (no events stream in this run): the final state starts the feed at the new cursor.
    // changed_at_utc: the greatest value stamped (the newest record's creation time), not capped: it only bounds later stamps from below.
    expect(cursor.final(Date.parse('2024-03-04T00:00:00Z'))).toEqual({
      created_at_utc: '2024-03-04T00:00:00.000Z',
      changed_at_utc: '2024-03-05T00:00:00.000Z',
      changes_since: '2024-03-04T00:00:00.000Z',
    });
  });

  it('stamps changed_at_utc on every emitted order at or after the state it started from, and never below a value it stamped in an earlier sync', async () => {
    const cfg = config({ lookback_days: 30 });
    const first = await cursorOf(new Orders(ctx(cfg)), true, {}, cfg);
    const old = at('2024-01-01T00:00:00Z');
    expect(first.accepts(old)).toBe(true);
    expect(old.changed_at_utc).toBe('2024-01-01T00:00:00.000Z');
    // A record the connector makes (a deletion) gets a value at or after an event's time.
    expect(first.stamp({ id: 'gone', created_at_utc: '2024-01-01T00:00:00Z' }, Date.parse('2024-02-03T00:00:00Z')).changed_at_utc).toBe('2024-02-03T00:00:00.000Z');
    const state = first.final(Date.parse('2024-03-01T00:00:00Z'));
    expect(state.changed_at_utc).toBe('2024-02-03T00:00:00.000Z');

    // The next sync re-emits an order from its lookback window, created before the state: stamped at the state, not its creation.
    const second = await cursorOf(new Orders(ctx(cfg)), true, { orders: { ...state, created_at_utc: '2024-01-20T00:00:00Z' } }, cfg);
    const inWindow = at('2024-01-10T00:00:00Z');
    expect(second.accepts(inWindow)).toBe(true);
    expect(inWindow.created_at_utc).toBe('2024-01-10T00:00:00Z');
    expect(inWindow.changed_at_utc).toBe('2024-02-03T00:00:00.000Z');
    // An older state (no changed_at_utc) stands at its creation position.
    const older = await cursorOf(new Orders(ctx(cfg)), true, { orders: { created_at_utc: '2024-01-20T00:00:00Z' } }, cfg);
    const again = at('2024-01-10T00:00:00Z');
    expect(older.accepts(again)).toBe(true);
    expect(again.changed_at_utc).toBe('2024-01-20T00:00:00.000Z');
  });

  it('with start_date, a later read whose lookback window reaches before it emits nothing created before start_date', async () => {
    const cfg = config({ lookback_days: 30, start_date: '2024-06-01T00:00:00Z' });
    const cursor = await cursorOf(new Orders(ctx(cfg)), true, { orders: { created_at_utc: '2024-06-10T00:00:00Z' } }, cfg);
    expect(cursor.accepts(at('2024-05-11T00:00:00Z'))).toBe(false);
    expect(cursor.accepts(at('2024-06-01T00:00:00Z'))).toBe(true);
    expect(cursor.requestParams).toEqual({ from: Date.parse('2024-06-01T00:00:00Z') / 1000 - 24 * 60 * 60, sort: 'date' });
  });

  it('of orders on a first sync asks the list sorted by date and moves checkpoints with the records while the list is proven sorted', async () => {
    const cursor = await cursorOf(new Orders(ctx()), true, {});
    expect(cursor.requestParams).toEqual({ sort: 'date' });
    const day = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString();
    for (let i = 0; i < CHECKPOINT_EVERY_RECORDS; i++) expect(cursor.accepts(at(day(i)))).toBe(true);
    const last = new Date(Date.parse(day(CHECKPOINT_EVERY_RECORDS - 1))).toISOString();
    expect(cursor.recordsDone(CHECKPOINT_EVERY_RECORDS)).toEqual({ created_at_utc: last, changed_at_utc: last });
    // A record out of order: the list is not sorted after all, so the creation position falls back to the
    // starting point (none on a first sync: everything is read again); the cursor value never moves back.
    expect(cursor.accepts(at(day(5)))).toBe(true);
    for (let i = 0; i < CHECKPOINT_EVERY_RECORDS; i++) cursor.accepts(at(day(CHECKPOINT_EVERY_RECORDS + i)));
    expect(cursor.recordsDone(CHECKPOINT_EVERY_RECORDS + 1)).toEqual({ changed_at_utc: last });
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

  it("of a per-product stream checkpoints the finished prefix of products, keeps the rest of the state, and at the end drops the position for its run's completion mark", async () => {
    const cursor = await cursorOf(new ProductsReviews(ctx()), false, { products_reviews: { created_at_utc: 'kept' } });
    const states: Array<Record<string, unknown>> = [];
    for await (const { seq } of cursor.pending(products(CHECKPOINT_EVERY_PRODUCTS + 3))) {
      const state = cursor.sliceDone(seq);
      if (state) states.push(state);
    }
    const run = { started_at: expect.any(String), streams: ['products_reviews'] };
    expect(states).toEqual([{ created_at_utc: 'kept', [RESUME_KEY]: expect.objectContaining({ products_done: CHECKPOINT_EVERY_PRODUCTS, last_product: CHECKPOINT_EVERY_PRODUCTS, run }) }]);
    expect(cursor.final(Date.now())).toEqual({ created_at_utc: 'kept', [COMPLETED_KEY]: { run, written_at: expect.any(String), config_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
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
