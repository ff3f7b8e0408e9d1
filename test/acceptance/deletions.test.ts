/**
 * Issue 32, the source side: deletion records. The shop deletes an order, a
 * customer and a product between two incremental syncs (bin/main as its own
 * process, the sandbox in both dialects); a destination that applies Airbyte's
 * Append + Deduped rule (greatest cursor per key, ties to the later record)
 * and drops rows whose surviving record has `_ab_cdc_deleted_at` must equal
 * the shop, with nothing else removed. And a record is never deleted by
 * mistake: not from a products list that was not read whole, nor from a 404
 * the API cannot back.
 */
import { Message, Run, lastStates, records } from '../helpers/connector';
import { Resources, STREAM, read, statesOf, statusesOf, testConfig } from '../helpers/guarantees';
import { compareToTruth, describeDiff, truthOf } from '../../scripts/truth-check';
import { decodeIds, LISTED_IDS } from '../../src/read/deletions';
import { json } from '../helpers/scripted-server';

jest.setTimeout(180_000);

const res = new Resources();
afterEach(() => res.closeAll());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const STREAMS = ['orders', 'customers', 'products'];
const DELETED_AT = '_ab_cdc_deleted_at';

const DIALECTS = [
  { name: 'documented', vendor: false, extra: { page_size: 50 } },
  { name: 'vendor', vendor: true, extra: { page_size: 50, page_size_parameter: 'count' } },
] as const;

/**
 * Airbyte's Append + Deduped with CDC deletions: per key the record with the
 * greatest cursor wins, a tie to the one extracted later (emission order); a
 * winner with `_ab_cdc_deleted_at` removes the row.
 */
function destination(runs: Run[], stream: string): Rec[] {
  const cursor = STREAM[stream].cursor!;
  const kept = new Map<string, { rec: Rec; at: number }>();
  for (const rec of runs.flatMap((r) => records(r, stream))) {
    const at = Date.parse(rec[cursor]);
    const held = kept.get(String(rec.id));
    if (!held || !(at < held.at)) kept.set(String(rec.id), { rec, at });
  }
  return [...kept.values()].map((k) => k.rec).filter((rec) => !rec[DELETED_AT]);
}

const deletions = (run: Run, stream: string) => records(run, stream).filter((r) => r[DELETED_AT]);

describe.each(DIALECTS)('$name dialect', ({ vendor, extra }) => {
  it('after the shop deletes an order, a customer and a product between two incremental syncs, the deduped destination without deleted rows equals the shop', async () => {
    const sandbox = await res.sandbox({ vendor });
    const cfg = testConfig(sandbox.url, extra);
    const first = await read(cfg, { streams: STREAMS, mode: 'incremental' });
    expect(first.code).toBe(0);
    expect(STREAMS.flatMap((s) => deletions(first, s))).toEqual([]);

    const before = truthOf(sandbox).streams;
    // The oldest order: outside any lookback window, so only the events log can name it.
    const order = [...(before.orders as Rec[])].sort((a, b) => a.id - b.id)[0];
    const customer = (before.customers as Rec[])[7];
    const product = (before.products as Rec[])[3];
    sandbox.mutate({ op: 'delete', resource: 'orders', ids: [order.id] });
    sandbox.mutate({ op: 'delete', resource: 'customers', ids: [customer.id] });
    sandbox.mutate({ op: 'delete', resource: 'products', ids: [product.id] });

    const second = await read(cfg, { streams: STREAMS, mode: 'incremental', state: lastStates(first) });
    expect(second.code).toBe(0);

    const truth = truthOf(sandbox);
    for (const stream of STREAMS) {
      expect([stream, describeDiff(stream, compareToTruth(stream, destination([first, second], stream), truth))]).toEqual([stream, []]);
    }
    // One deletion record each, shaped as agreed: the key (its JSON type), the cursor, the moment seen.
    const expected: Record<string, Rec> = { orders: order, customers: customer, products: product };
    for (const stream of STREAMS) {
      const found = deletions(second, stream);
      expect(found.map((r) => r.id)).toEqual([expected[stream].id]);
      const cursor = STREAM[stream].cursor!;
      expect(Object.keys(found[0]).sort()).toEqual([DELETED_AT, cursor, 'id'].sort());
      const live = records(first, stream).find((r) => r.id === expected[stream].id)!;
      expect(Date.parse(found[0][cursor])).toBeGreaterThanOrEqual(Date.parse(live[cursor]));
      expect(Number.isNaN(Date.parse(found[0][DELETED_AT]))).toBe(false);
      // Emitted before the final STATE of its stream, which covers it.
      const at = (m: Message) => second.messages.indexOf(m);
      const recordAt = second.messages.findIndex((m) => m.type === 'RECORD' && m.record.stream === stream && m.record.data[DELETED_AT]);
      const lastState = second.messages.filter((m) => m.type === 'STATE' && m.state.stream?.stream_descriptor.name === stream).at(-1)!;
      expect(recordAt).toBeLessThan(at(lastState));
    }
    // The products state keeps the ids listed now, the deleted one no longer among them.
    const ids = decodeIds(statesOf(second, 'products').at(-1)![LISTED_IDS])!;
    expect(ids).toEqual((truth.streams.products as Rec[]).map((p) => p.id).sort((a, b) => a - b));

    // A third sync deletes nothing else (the events log is read again from its cursor, so an event at
    // that instant may name the same deletion again: the same record, harmless to the destination).
    const third = await read(cfg, { streams: STREAMS, mode: 'incremental', state: lastStates(second) });
    expect(third.code).toBe(0);
    for (const stream of STREAMS) {
      for (const r of deletions(third, stream)) expect([stream, r.id]).toEqual([stream, expected[stream].id]);
      expect([stream, describeDiff(stream, compareToTruth(stream, destination([first, second, third], stream), truth))]).toEqual([stream, []]);
    }
  });
});

describe('a record is never deleted by mistake', () => {
  it('a products list that was not read whole (a later page fails) deletes nothing; the next whole read does', async () => {
    // A shop of 30 products, 10 a page; product 25 is deleted after the first sync. `cut`: pages after the first answer 500.
    let ids = Array.from({ length: 30 }, (_, i) => i + 1);
    let cut = false;
    const server = await res.server((req, reply) => {
      const url = new URL(req.url ?? '/', 'http://local');
      const single = /^\/v1\/products\/(\d+)$/.exec(url.pathname);
      if (single) {
        const id = Number(single[1]);
        return ids.includes(id) ? json(reply, 200, { data: { id } }) : json(reply, 404, { error: { message: 'Not found' } });
      }
      if (url.pathname !== '/v1/products') return json(reply, 404, { error: { message: 'Not found' } });
      const offset = Number(url.searchParams.get('offset') ?? 0);
      if (cut && offset > 0) return json(reply, 500, { error: { message: 'Internal server error' } });
      const page = ids.slice(offset, offset + 10).map((id) => ({ id, updated_at_utc: '2024-01-01T00:00:00Z' }));
      json(reply, 200, { data: page, total: ids.length });
    });
    const cfg = testConfig(server.url, { page_size: 10, max_retries: 0 });
    const first = await read(cfg, { streams: ['products'], mode: 'incremental' });
    expect(first.code).toBe(0);
    ids = ids.filter((id) => id !== 25);

    cut = true;
    const partial = await read(cfg, { streams: ['products'], mode: 'incremental', state: lastStates(first) });
    expect(statusesOf(partial, 'products')).toContain('INCOMPLETE');
    expect(records(partial, 'products').map((r) => r.id)).toEqual(ids.slice(0, 10));
    // Ids 11..30 were not listed this time, and none of them is taken as deleted; the saved set stays.
    expect(deletions(partial, 'products')).toEqual([]);
    const savedIds = statesOf(first, 'products').at(-1)![LISTED_IDS];
    for (const state of statesOf(partial, 'products')) expect(state[LISTED_IDS]).toBe(savedIds);

    cut = false;
    const whole = await read(cfg, { streams: ['products'], mode: 'incremental', state: lastStates(first) });
    expect(whole.code).toBe(0);
    expect(deletions(whole, 'products').map((r) => r.id)).toEqual([25]);
  });

  it('a product gone from the list while the API serves no single product (404 for every id, unproven) deletes nothing and stays in the state', async () => {
    const sandbox = await res.sandbox();
    const cfg = testConfig(sandbox.url, { page_size: 50 });
    const first = await read(cfg, { streams: ['products'], mode: 'incremental' });
    expect(first.code).toBe(0);
    const product = (truthOf(sandbox).streams.products as Rec[])[2];
    sandbox.mutate({ op: 'delete', resource: 'products', ids: [product.id] });
    sandbox.updateSettings({ productById: false });

    const second = await read(cfg, { streams: ['products'], mode: 'incremental', state: lastStates(first) });
    expect(second.code).toBe(0);
    expect(deletions(second, 'products')).toEqual([]);
    // Kept, so that a later sync whose API can confirm it still emits the deletion.
    expect(decodeIds(statesOf(second, 'products').at(-1)![LISTED_IDS])).toContain(product.id);

    sandbox.updateSettings({ productById: true });
    const third = await read(cfg, { streams: ['products'], mode: 'incremental', state: lastStates(second) });
    expect(deletions(third, 'products').map((r) => r.id)).toEqual([product.id]);
  });
});
