/**
 * Issue 20: what changes after creation reaches the destination. Orders and
 * customers carry no update time; the events log names the changed ones (read
 * again by id) and a lookback window re-reads recent orders. Every check runs
 * against the sandbox in both dialects, bin/main as its own process.
 */
import { Message, Run, lastStates, records } from '../helpers/connector';
import { Resources, logs, read, statesOf, statusesOf, testConfig } from '../helpers/guarantees';
import { compareToTruth, describeDiff, truthOf } from '../../scripts/truth-check';
import type { Sandbox, SandboxOptions, Settings } from '../../sandbox/server';

jest.setTimeout(120_000);

const res = new Resources();
afterEach(() => res.closeAll());

const DIALECTS = [
  { name: 'documented', vendor: false, extra: { page_size: 50 }, created: 'created_at_utc' },
  { name: 'vendor', vendor: true, extra: { page_size: 50, page_size_parameter: 'count' }, created: 'created' },
] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;
const DAY = 24 * 60 * 60 * 1000;

/** Records of the runs merged by key in emission order, last wins (the local DuckDB sync's merge) against the shop. */
function mergedProblems(runs: Run[], sandbox: Sandbox, streams: string[]): string[] {
  const truth = truthOf(sandbox);
  return streams.flatMap((s) => describeDiff(s, compareToTruth(s, runs.flatMap((r) => records(r, s)), truth, { merge: true })));
}

/**
 * Airbyte's append_dedup: per primary key the record with the highest cursor
 * wins; on a tie, the one extracted last. Emission order stands for extraction
 * time. The connector's own cursor (created_at_utc) must not drop on a re-read
 * copy, or the stale row would win.
 */
function appendDedup(runs: Run[], stream: string): Rec[] {
  const kept = new Map<string, { rec: Rec; at: number }>();
  for (const rec of runs.flatMap((r) => records(r, stream))) {
    const at = Date.parse(rec.created_at_utc);
    const key = String(rec.id);
    const held = kept.get(key);
    if (!held || !(at < held.at)) kept.set(key, { rec, at });
  }
  return [...kept.values()].map((k) => k.rec);
}

/** The newest, the oldest and one order between, by creation time (the three changed orders). */
function threeOrders(sandbox: Sandbox, created: string): Rec[] {
  const orders = [...(truthOf(sandbox).streams.orders as Rec[])].sort((a, b) => Date.parse(a[created]) - Date.parse(b[created]) || a.id - b.id);
  return [orders[orders.length - 1], orders[0], orders[Math.floor(orders.length / 2)]];
}

const byId = (recs: Rec[], id: unknown) => recs.find((r) => String(r.id) === String(id));

describe.each(DIALECTS)('$name dialect', ({ vendor, extra, created }) => {
  const sandboxOf = async (settings: Partial<Settings> = {}, opts: SandboxOptions = {}) => {
    const sandbox = await res.sandbox({ vendor, ...opts });
    sandbox.updateSettings(settings);
    return sandbox;
  };
  const config = (sandbox: Sandbox, more: Record<string, unknown> = {}) => testConfig(sandbox.url, { ...extra, ...more });
  const incremental = (streams: string[], state?: unknown) => ({ streams, mode: 'incremental' as const, ...(state === undefined ? {} : { state }) });

  it.each([
    ['without the events stream selected', ['orders', 'customers']],
    ['with the events stream selected', ['orders', 'customers', 'events']],
  ])(
    '3 changed orders (newest, oldest, between) and a customer arrive with their change, %s; both syncs merged by key equal the shop',
    async (_, streams) => {
      const sandbox = await sandboxOf();
      // Lookback off: the events log alone must bring every change.
      const cfg = config(sandbox, { lookback_days: 0 });
      const first = await read(cfg, incremental(streams));
      expect(first.code).toBe(0);
      const stateBefore = statesOf(first, 'orders').at(-1)!;
      expect(stateBefore.changes_since).toBeDefined();

      const orders = threeOrders(sandbox, created);
      const customer = truthOf(sandbox).streams.customers[40] as Rec;
      sandbox.mutate({ op: 'update', resource: 'orders', ids: orders.map((o) => o.id) });
      sandbox.mutate({ op: 'update', resource: 'customers', ids: [customer.id] });
      const after = truthOf(sandbox).streams;
      // The change is visible in the form the API speaks: the first sync's copy is stale.
      for (const o of orders) expect(byId(after.orders, o.id)).not.toEqual(o);
      expect(byId(after.customers, customer.id)).not.toEqual(customer);

      sandbox.resetCounters();
      const second = await read(cfg, incremental(streams, lastStates(first)));
      expect(second.code).toBe(0);
      expect(mergedProblems([first, second], sandbox, streams)).toEqual([]);
      // Each changed record came with the shop's current values, shaped as the list gives it.
      const listShape = (r: Rec) => Object.keys(r).sort();
      for (const o of orders) {
        const emitted = byId(records(second, 'orders'), o.id)!;
        expect(emitted).toBeDefined();
        expect(listShape(emitted)).toEqual(listShape(byId(records(first, 'orders'), o.id)!));
        expect(emitted.created_at_utc).toBe(byId(records(first, 'orders'), o.id)!.created_at_utc);
      }
      expect(byId(records(second, 'customers'), customer.id)).toBeDefined();
      // Airbyte's append_dedup (highest cursor, ties to the newest extraction) keeps the re-read copy too.
      const truth = truthOf(sandbox);
      for (const s of ['orders', 'customers']) {
        expect(describeDiff(s, compareToTruth(s, appendDedup([first, second], s), truth))).toEqual([]);
      }
      // The creation cursor did not move for re-read old records; the feed's cursor moved to the change.
      const stateAfter = statesOf(second, 'orders').at(-1)!;
      expect(stateAfter.created_at_utc).toBe(stateBefore.created_at_utc);
      expect(Date.parse(stateAfter.changes_since)).toBeGreaterThan(Date.parse(stateBefore.changes_since));
      // Requests: the orders by `ids=` (no single reads), the customers from their list (read whole anyway).
      const counters = sandbox.counters();
      expect(counters.idsLists).toBeGreaterThanOrEqual(1);
      expect(counters.singleRecord).toEqual({});
      // The events log is read at most once for both streams and the events stream when selected (issue 30: one
      // read, asked from the feed's start): one whole read of it, measured on the same log, is the bound.
      sandbox.resetCounters();
      expect((await read(cfg, { streams: ['events'] })).code).toBe(0);
      const oneRead = sandbox.counters().byResource.events!;
      expect(counters.byResource.events).toBeLessThanOrEqual(oneRead);
    }
  );

  it('an empty events log: changed orders inside the lookback window arrive, one outside does not; lookback 0 costs no extra request', async () => {
    const runWith = async (lookback: number) => {
      const sandbox = await sandboxOf({ changeEvents: false });
      const cfg = config(sandbox, { lookback_days: lookback, page_size: 100 });
      const first = await read(cfg, incremental(['orders']));
      expect(first.code).toBe(0);
      const cursor = Date.parse(statesOf(first, 'orders').at(-1)!.created_at_utc);
      const [newest, oldest] = threeOrders(sandbox, created);
      const inside = [...(truthOf(sandbox).streams.orders as Rec[])].filter((o) => Date.parse(o[created]) > cursor - 20 * DAY && o.id !== newest.id)[0];
      expect(Date.parse(oldest[created])).toBeLessThan(cursor - 30 * DAY - DAY);
      sandbox.mutate({ op: 'update', resource: 'orders', ids: [newest.id, inside.id, oldest.id] });
      sandbox.resetCounters();
      const second = await read(cfg, incremental(['orders'], lastStates(first)));
      expect(second.code).toBe(0);
      const truth = truthOf(sandbox).streams.orders as Rec[];
      return { sandbox, second, truth, newest, inside, oldest, cursor };
    };

    const thirty = await runWith(30);
    for (const o of [thirty.newest, thirty.inside]) expect(byId(records(thirty.second, 'orders'), o.id)).toMatchObject(byId(thirty.truth, o.id)!);
    expect(byId(records(thirty.second, 'orders'), thirty.oldest.id)).toBeUndefined();
    // The window costs pages of the list (from=…, once per archived value), not a request per order.
    const windowOrders = thirty.truth.filter((o) => Date.parse(o[created]) >= thirty.cursor - 30 * DAY - DAY);
    const archived = windowOrders.filter((o) => o.archived === true).length;
    const pages = (n: number) => Math.max(1, Math.floor(n / 100) + (vendor ? 1 : Number(n % 100 !== 0)));
    // Without a total (vendor) a short first page may also cost one probe (src/read/page-cap.ts), once per archived
    // value: the events log, asked from the feed's start (issue 30), no longer serves the run a full page before the orders list.
    const probe = vendor ? 2 : 0;
    const windowPages = pages(archived) + pages(windowOrders.length - archived);
    expect(thirty.sandbox.counters().byResource.orders).toBeGreaterThanOrEqual(windowPages);
    expect(thirty.sandbox.counters().byResource.orders).toBeLessThanOrEqual(windowPages + probe);

    const off = await runWith(0);
    expect(byId(records(off.second, 'orders'), off.inside.id)).toBeUndefined();
    expect(byId(records(off.second, 'orders'), off.oldest.id)).toBeUndefined();
    // Lookback 0: the orders list asks from the state (less the 24 h clock margin), one page per archived value; nothing re-read by id.
    const counters = off.sandbox.counters();
    expect(counters.byResource.orders).toBeGreaterThanOrEqual(2);
    expect(counters.byResource.orders).toBeLessThanOrEqual(2 + probe);
    expect(counters.singleRecord).toEqual({});
    expect(counters.idsLists).toBe(0);
  });

  it.each([
    ['honoured', 0],
    ['ignored', undefined],
    ['extra', 0],
  ] as const)('ids=… %s: every changed order arrives; one deleted before the re-read leaves as a deletion record, not a failure', async (mode, singles) => {
    const sandbox = await sandboxOf({ idsFilter: mode });
    const cfg = config(sandbox, { lookback_days: 0 });
    const first = await read(cfg, incremental(['orders']));
    expect(first.code).toBe(0);
    const [newest, oldest, between] = threeOrders(sandbox, created);
    const gone = [...(truthOf(sandbox).streams.orders as Rec[])].sort((a, b) => a.id - b.id)[120];
    sandbox.mutate({ op: 'update', resource: 'orders', ids: [newest.id, oldest.id, between.id, gone.id] });
    sandbox.mutate({ op: 'delete', resource: 'orders', ids: [gone.id] });
    sandbox.resetCounters();
    const second = await read(cfg, incremental(['orders'], lastStates(first)));
    expect(second.code).toBe(0);
    expect(statusesOf(second, 'orders').at(-1)).toBe('COMPLETE');
    const truth = truthOf(sandbox).streams.orders as Rec[];
    for (const o of [newest, oldest, between]) expect(byId(records(second, 'orders'), o.id)).toMatchObject(byId(truth, o.id)!);
    expect(records(second, 'orders').filter((r) => r._ab_cdc_deleted_at).map((r) => r.id)).toEqual([gone.id]);
    // Merged with the first sync (last per key; a winning deletion record removes the row), the shop's orders.
    const merged = new Map<string, Rec>();
    for (const r of [first, second].flatMap((run) => records(run, 'orders'))) merged.set(String(r.id), r);
    const kept = [...merged.values()].filter((r) => !r._ab_cdc_deleted_at);
    expect(compareToTruth('orders', kept, truthOf(sandbox))).toEqual({ missing: [], extra: [], duplicates: [], changed: [] });
    // Never an order not asked for twice.
    expect(records(second, 'orders').filter((r) => !r._ab_cdc_deleted_at).length).toBe(new Set(records(second, 'orders').map((r) => r.id)).size - 1);
    const deletedLogs = logs(second).filter((l) => /answered 404 Not Found twice when read again/.test(l));
    expect(deletedLogs).toHaveLength(1);
    expect(deletedLogs[0]).toContain(JSON.stringify(gone.id));
    const counters = sandbox.counters();
    expect(counters.idsLists).toBeGreaterThanOrEqual(1);
    const notHonoured = logs(second).filter((l) => /does not honour ids/.test(l));
    expect(notHonoured).toHaveLength(mode === 'honoured' ? 0 : 1);
    if (singles !== undefined) {
      // Honoured (or honoured with extras): only the deleted order is asked singly, twice, and one listed order as
      // the witness that the endpoint answers for orders that exist: then a second 404 proves it gone.
      expect(counters.singleRecord).toEqual({ orders: 3 + singles });
      expect(counters.idsLists).toBe(1);
    } else {
      // Ignored: the answer is the list's first page; whatever it did not hold is asked singly (the deleted one and
      // at least the newest order, which is not on the first page).
      expect(counters.singleRecord.orders).toBeGreaterThanOrEqual(2);
    }
  });

  it('a sync SIGKILLed after the change feed was read loses no change: the rerun from the last state brings it', async () => {
    const sandbox = await sandboxOf({}, { latencyMs: 150 });
    const cfg = config(sandbox, { lookback_days: 0 });
    const first = await read(cfg, incremental(['orders', 'customers']));
    expect(first.code).toBe(0);
    const orders = threeOrders(sandbox, created);
    const customer = truthOf(sandbox).streams.customers[7] as Rec;
    sandbox.mutate({ op: 'update', resource: 'orders', ids: orders.map((o) => o.id) });
    sandbox.mutate({ op: 'update', resource: 'customers', ids: [customer.id] });

    let killed = false;
    const second = await read(cfg, {
      ...incremental(['orders', 'customers'], lastStates(first)),
      onMessage: (m: Message, child) => {
        // The feed is read before any record: the first record means it was read and nothing is final yet.
        if (!killed && m.type === 'RECORD') {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    expect(second.signal).toBe('SIGKILL');
    expect(statusesOf(second, 'orders')).not.toContain('COMPLETE');
    // The state the rerun gets: the first sync's, updated by whatever the killed run said before it died.
    const state = lastStates({ ...second, messages: [...first.messages, ...second.messages] });
    const third = await read(cfg, incremental(['orders', 'customers'], state));
    expect(third.code).toBe(0);
    expect(mergedProblems([first, second, third], sandbox, ['orders', 'customers'])).toEqual([]);
    const truth = truthOf(sandbox).streams as Record<string, Rec[]>;
    for (const o of orders) expect(byId(records(third, 'orders'), o.id)).toMatchObject(byId(truth.orders, o.id)!);
    expect(byId(records(third, 'customers'), customer.id)).toMatchObject(byId(truth.customers, customer.id)!);
  });
});
