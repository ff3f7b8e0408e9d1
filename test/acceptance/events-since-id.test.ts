/**
 * Issue 30: the events log costs what is new. Each sync keeps the last event
 * id; the next asks `since_id` (events.yaml) once, for the change feed and the
 * `events` stream together, and trusts ids only when every answered event is
 * past it. A server that ignores the parameters costs no more than before and
 * loses nothing. Sandbox in both dialects, bin/main as its own process.
 */
import { Run, lastStates, records } from '../helpers/connector';
import { Rec, Resources, logs, read, statesOf, testConfig } from '../helpers/guarantees';
import { truthOf } from '../../scripts/truth-check';
import type { Sandbox } from '../../sandbox/server';

jest.setTimeout(120_000);

const res = new Resources();
afterEach(() => res.closeAll());

const STREAMS = ['orders', 'customers', 'events'];
const PAGE = 20;

const DIALECTS = [
  { name: 'documented', vendor: false, extra: { page_size: PAGE } },
  { name: 'vendor', vendor: true, extra: { page_size: PAGE, page_size_parameter: 'count' } },
] as const;

const maxEventId = (sandbox: Sandbox) => Math.max(...(truthOf(sandbox).streams.events as Rec[]).map((e) => e.id));

describe.each(DIALECTS)('$name dialect', ({ vendor, extra }) => {
  /** Three syncs: the first keeps the feed's start, the second its first event id, the third reads by since_id; changes before the third. */
  async function threeSyncs(eventFilters: boolean) {
    const sandbox = await res.sandbox({ vendor });
    sandbox.updateSettings({ eventFilters });
    const cfg = testConfig(sandbox.url, { ...extra, lookback_days: 0 });
    const incremental = (state?: unknown) => ({ streams: STREAMS, mode: 'incremental' as const, ...(state === undefined ? {} : { state }) });
    const first = await read(cfg, incremental());
    expect(first.code).toBe(0);
    sandbox.mutate({ op: 'update', resource: 'orders', ids: [(truthOf(sandbox).streams.orders as Rec[])[3].id] });
    const second = await read(cfg, incremental(lastStates(first)));
    expect(second.code).toBe(0);
    const before = maxEventId(sandbox);
    const orders = (truthOf(sandbox).streams.orders as Rec[]).slice(0, 3);
    const customer = (truthOf(sandbox).streams.customers as Rec[])[7];
    sandbox.mutate({ op: 'update', resource: 'orders', ids: orders.map((o) => o.id) });
    sandbox.mutate({ op: 'update', resource: 'customers', ids: [customer.id] });
    const newEvents = (truthOf(sandbox).streams.events as Rec[]).filter((e) => e.id > before);
    expect(newEvents).toHaveLength(4);
    sandbox.resetCounters();
    const third = await read(cfg, incremental(lastStates(second)));
    expect(third.code).toBe(0);
    return { sandbox, second, third, before, orders, customer, newEvents };
  }

  /** Every change reached the third sync with the shop's current values; every new event too. */
  function expectChangesArrived(run: Run, sandbox: Sandbox, orders: Rec[], customer: Rec, newEvents: Rec[]) {
    const truth = truthOf(sandbox).streams;
    for (const o of orders) expect(records(run, 'orders').find((r) => r.id === o.id)).toMatchObject((truth.orders as Rec[]).find((r) => r.id === o.id)!);
    expect(records(run, 'customers').find((r) => r.id === customer.id)).toMatchObject((truth.customers as Rec[]).find((r) => r.id === customer.id)!);
    const emitted = new Set(records(run, 'events').map((e) => e.id));
    for (const e of newEvents) expect(emitted.has(e.id)).toBe(true);
  }

  it('since_id honoured: one read of the new events for the change feed and the events stream, every change arrives, each state keeps the last event id', async () => {
    const { sandbox, second, third, before, orders, customer, newEvents } = await threeSyncs(true);
    for (const s of STREAMS) expect(statesOf(second, s).at(-1)!.events_since_id).toBe(before);
    expectChangesArrived(third, sandbox, orders, customer, newEvents);
    // The events stream emits the new events only: the old ones were not asked for.
    expect(records(third, 'events').map((e) => e.id).sort((a, b) => a - b)).toEqual(newEvents.map((e) => e.id));
    // The goal of issue 30: (new events / page size) + 3 at most, for the feed and the events stream together.
    const events = sandbox.counters().byResource.events!;
    expect(events).toBeLessThanOrEqual(Math.ceil(newEvents.length / PAGE) + 3);
    const last = maxEventId(sandbox);
    for (const s of STREAMS) expect(statesOf(third, s).at(-1)!.events_since_id).toBe(last);
    expect(logs(third).filter((l) => /does not honour/.test(l))).toEqual([]);
  });

  it('a server that ignores since_id and created_after: the log read whole once, filtered by time, said once; every change arrives', async () => {
    const { sandbox, third, orders, customer, newEvents } = await threeSyncs(false);
    expectChangesArrived(third, sandbox, orders, customer, newEvents);
    const events = sandbox.counters().byResource.events!;
    // One read of the whole log: what the events stream alone cost before (it cost that twice with the feed).
    sandbox.resetCounters();
    expect((await read(testConfig(sandbox.url, extra), { streams: ['events'] })).code).toBe(0);
    expect(events).toBe(sandbox.counters().byResource.events!);
    const said = logs(third).filter((l) => /does not honour since_id/.test(l));
    expect(said).toHaveLength(1);
  });
});

describe.each(DIALECTS)('lookback window, $name dialect', ({ vendor, extra }) => {
  it('the events log named the changed orders: the lookback window (default lookback_days) is not read, only the changed orders are emitted, said once', async () => {
    const sandbox = await res.sandbox({ vendor });
    const cfg = testConfig(sandbox.url, extra);
    const first = await read(cfg, { streams: ['orders'], mode: 'incremental' });
    expect(first.code).toBe(0);
    const cursor = Date.parse(statesOf(first, 'orders').at(-1)!.created_at_utc);
    const all = truthOf(sandbox).streams.orders as Rec[];
    const created = (o: Rec) => Date.parse(o.created_at_utc ?? o.created);
    const changed = [all[0], all[5]];
    // Orders at the cursor are read again (the cursor is inclusive); the default window holds more, which the old behaviour emitted again.
    const atCursor = all.filter((o) => created(o) >= cursor).map((o) => o.id);
    expect(all.filter((o) => created(o) >= cursor - 30 * 24 * 3600 * 1000).length).toBeGreaterThan(atCursor.length + changed.length);
    sandbox.mutate({ op: 'update', resource: 'orders', ids: changed.map((o) => o.id) });
    const second = await read(cfg, { streams: ['orders'], mode: 'incremental', state: lastStates(first) });
    expect(second.code).toBe(0);
    const truth = truthOf(sandbox).streams.orders as Rec[];
    expect(records(second, 'orders').map((r) => r.id).sort((a, b) => a - b)).toEqual([...new Set([...changed.map((o) => o.id), ...atCursor])].sort((a, b) => a - b));
    for (const o of changed) expect(records(second, 'orders').find((r) => r.id === o.id)).toMatchObject(truth.find((r) => r.id === o.id)!);
    expect(logs(second).filter((l) => /lookback window \(lookback_days\) is not read/.test(l))).toHaveLength(1);
  });
});
