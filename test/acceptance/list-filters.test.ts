/**
 * Issue 29: every customer and every order, whatever the plain list holds. The
 * customers list takes `trade=0|1` (customers.yaml; the vendor's help page says
 * the plain list holds the regular customers only) and the orders list
 * `archived=0|1` (orders.yaml; what the plain list holds is not stated). The
 * sandbox serves each plain list hiding one side, holding both, or ignoring the
 * parameter; bin/main runs as its own process, in both dialects.
 */
import { Run, lastStates, records, traces } from '../helpers/connector';
import { Resources, logs, read, testConfig } from '../helpers/guarantees';
import { compareToTruth, describeDiff, truthOf } from '../../scripts/truth-check';
import type { Sandbox, Settings } from '../../sandbox/server';

jest.setTimeout(120_000);

const res = new Resources();
afterEach(() => res.closeAll());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const DIALECTS = [
  { name: 'documented', vendor: false, extra: { page_size: 50 } },
  { name: 'vendor', vendor: true, extra: { page_size: 50, page_size_parameter: 'count' } },
] as const;

const FILTERS = [
  { stream: 'customers', param: 'trade', flag: 'trade', setting: 'tradeFilter', inserted: 40 },
  { stream: 'orders', param: 'archived', flag: 'archived', setting: 'archivedFilter', inserted: 16 },
] as const;

const MODES = ['hidden', 'shown', 'ignored'] as const;

function problems(runs: Run[], sandbox: Sandbox, stream: string, merge: boolean): string[] {
  return describeDiff(stream, compareToTruth(stream, runs.flatMap((r) => records(r, stream)), truthOf(sandbox), { merge }));
}

const estimates = (run: Run) => Object.fromEntries(traces(run, 'ESTIMATE').map((t) => [t.estimate.name, t.estimate.row_estimate]));

describe.each(DIALECTS)('$name dialect', ({ vendor, extra }) => {
  const sandboxOf = async (settings: Partial<Settings>) => {
    const sandbox = await res.sandbox({ vendor });
    sandbox.updateSettings(settings);
    return sandbox;
  };

  describe.each(FILTERS)('$stream by $param', ({ stream, param, flag, setting, inserted }) => {
    it.each(MODES)(
      'plain list %s: a full refresh emits every record once, and incremental syncs bring the new ones of both sides',
      async (mode) => {
        const sandbox = await sandboxOf({ [setting]: mode });
        const sides = (truthOf(sandbox).streams[stream] as Rec[]).filter((r) => r[flag] === true);
        expect(sides.length).toBeGreaterThan(0);
        const cfg = testConfig(sandbox.url, extra);

        const full = await read(cfg, { streams: [stream] });
        expect(full.code).toBe(0);
        expect(problems([full], sandbox, stream, false)).toEqual([]);
        const lists = sandbox.counters().sideLists;
        if (mode === 'ignored') {
          // The first answer held records of the other side: it was the whole list, and no other value is read.
          expect(lists[`${param}=0`]).toBeUndefined();
          expect(logs(full).some((l) => l.includes(`ignores ${param}=1`))).toBe(true);
        } else {
          expect(lists[`${param}=0`]).toBeGreaterThan(0);
        }

        const first = await read(cfg, { streams: [stream], mode: 'incremental' });
        expect(first.code).toBe(0);
        expect(problems([first], sandbox, stream, false)).toEqual([]);
        const added = sandbox.mutate({ op: 'insert', resource: stream, count: inserted }).inserted[stream]!;
        const truth = truthOf(sandbox).streams[stream] as Rec[];
        const addedOnTheSide = truth.filter((r) => added.includes(r.id) && r[flag] === true);
        expect(addedOnTheSide.length).toBeGreaterThan(0);
        const second = await read(cfg, { streams: [stream], mode: 'incremental', state: lastStates(first) });
        expect(second.code).toBe(0);
        const emitted = records(second, stream);
        for (const id of added) {
          const copies = emitted.filter((r) => r.id === id);
          expect(copies).toHaveLength(1);
          expect(copies[0]).toMatchObject(truth.find((r) => r.id === id)!);
        }
        // Within one sync no record twice; the two syncs merged are the shop.
        expect(problems([second], sandbox, stream, false).filter((l) => /duplicates/.test(l))).toEqual([]);
        expect(problems([first, second], sandbox, stream, true)).toEqual([]);
      }
    );

    it(`a shop without any ${flag} record: one list request more than the plain list (and one /count more without totals), and the estimate is the shop`, async () => {
      const sandbox = await sandboxOf({ [setting]: 'hidden' });
      const onTheSide = (truthOf(sandbox).streams[stream] as Rec[]).filter((r) => r[flag] === true).map((r) => r.id);
      sandbox.mutate({ op: 'delete', resource: stream, ids: onTheSide });
      sandbox.resetCounters();
      const run = await read(testConfig(sandbox.url, extra), { streams: [stream] });
      expect(run.code).toBe(0);
      expect(problems([run], sandbox, stream, false)).toEqual([]);
      const counters = sandbox.counters();
      // `param=0` answers what the plain list answers on this shop: its pages are what the plain list cost.
      expect(counters.sideLists[`${param}=1`]).toBe(1);
      expect(counters.byResource[stream]).toBe(counters.sideLists[`${param}=0`] + 1);
      // The estimate: the two sides' first-page totals added (documented form); else (vendor form: no totals) the plain
      // count, and where it answers 400 for want of the filter (customers here, as customers.yaml marks trade required) one per side.
      expect(counters.counts).toBe(vendor ? (stream === 'customers' ? 3 : 1) : 0);
      expect(estimates(run)[stream]).toBe(truthOf(sandbox).streams[stream].length);
    });
  });

  it('/v1/customers/count answering 400 without trade: the estimate is the sum of both counts', async () => {
    const sandbox = await sandboxOf({ tradeFilter: 'hidden' });
    const run = await read(testConfig(sandbox.url, extra), { streams: ['customers'] });
    expect(run.code).toBe(0);
    expect(estimates(run).customers).toBe(truthOf(sandbox).streams.customers.length);
    // Documented form: the pages' totals, no count. Vendor form: the plain count first (a shop whose plain count
    // answers pays nothing more), its one 400, then a count per side.
    expect(sandbox.counters().byStatus['400']).toBe(vendor ? 1 : undefined);
    expect(sandbox.counters().counts).toBe(vendor ? 3 : 0);
  });

  it('a shop whose lists hide nothing and that has no trade customer or archived order costs 2 requests more than the plain lists: one empty side list per stream, no count more', async () => {
    const sandbox = await sandboxOf({});
    const truth = truthOf(sandbox).streams;
    sandbox.mutate({ op: 'delete', resource: 'customers', ids: (truth.customers as Rec[]).filter((c) => c.trade === true).map((c) => c.id) });
    sandbox.mutate({ op: 'delete', resource: 'orders', ids: (truth.orders as Rec[]).filter((o) => o.archived === true).map((o) => o.id) });
    sandbox.resetCounters();
    const run = await read(testConfig(sandbox.url, extra), { streams: ['customers', 'orders'] });
    expect(run.code).toBe(0);
    const counters = sandbox.counters();
    expect(counters.sideLists['trade=1']).toBe(1);
    expect(counters.sideLists['archived=1']).toBe(1);
    expect(counters.byResource.customers).toBe(counters.sideLists['trade=0'] + 1);
    expect(counters.byResource.orders).toBe(counters.sideLists['archived=0'] + 1);
    // Vendor form (no totals): one plain count per stream, as the connector asked before list filters; documented form: none.
    expect(counters.counts).toBe(vendor ? 2 : 0);
  });

  it('an archived order the events log names as changed is read again even where ids= answers hide archived orders', async () => {
    const sandbox = await sandboxOf({ archivedFilter: 'hidden' });
    const cfg = testConfig(sandbox.url, { ...extra, lookback_days: 0 });
    const first = await read(cfg, { streams: ['orders'], mode: 'incremental' });
    expect(first.code).toBe(0);
    const orders = truthOf(sandbox).streams.orders as Rec[];
    const archived = orders.filter((o) => o.archived === true).slice(0, 2);
    const regular = orders.filter((o) => o.archived !== true).slice(0, 2);
    sandbox.mutate({ op: 'update', resource: 'orders', ids: [...archived, ...regular].map((o) => o.id) });
    sandbox.resetCounters();
    const second = await read(cfg, { streams: ['orders'], mode: 'incremental', state: lastStates(first) });
    expect(second.code).toBe(0);
    const truth = truthOf(sandbox).streams.orders as Rec[];
    for (const o of [...archived, ...regular]) {
      const copies = records(second, 'orders').filter((r) => r.id === o.id);
      expect(copies).toHaveLength(1);
      expect(copies[0]).toMatchObject(truth.find((r) => r.id === o.id)!);
    }
    // The ids= answer left the archived ones out: they were asked one by one.
    expect(sandbox.counters().singleRecord.orders).toBeGreaterThanOrEqual(archived.length);
  });

  it('more changed orders than the 50 ids one request may name (orders.yaml): re-read in requests of at most 50', async () => {
    const sandbox = await sandboxOf({});
    const cfg = testConfig(sandbox.url, { ...extra, page_size: 100, lookback_days: 0 });
    const first = await read(cfg, { streams: ['orders'], mode: 'incremental' });
    expect(first.code).toBe(0);
    const changed = (truthOf(sandbox).streams.orders as Rec[]).slice(0, 60).map((o) => o.id);
    sandbox.mutate({ op: 'update', resource: 'orders', ids: changed });
    sandbox.resetCounters();
    const second = await read(cfg, { streams: ['orders'], mode: 'incremental', state: lastStates(first) });
    expect(second.code).toBe(0);
    const emitted = new Set(records(second, 'orders').map((r) => r.id));
    expect(changed.filter((id) => !emitted.has(id))).toEqual([]);
    expect(sandbox.counters().idsLists).toBe(2);
    expect(sandbox.counters().byStatus['400']).toBeUndefined();
  });
});
