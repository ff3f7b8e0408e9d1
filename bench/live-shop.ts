/**
 * Scenario 5 of `npm run bench`: requests on a live shop (issue 11). At the
 * vendor's 2 requests per second the request count is the sync's duration, so
 * this scenario counts requests, not seconds: vendor dialect, page size 100,
 * all 14 streams, a full sync and then an incremental sync after a small shop
 * change, against a server that honours embed, from and /count and against one
 * that honours none of them; plus the connector with all three options off
 * ("before": the requests of the connector before they existed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startSandbox } from '../sandbox/server';
import type { Sandbox } from '../sandbox/server';
import { lastStates, recordsOf, runConnector } from '../scripts/run-connector';
import { STREAM_TABLE } from '../scripts/streams';
import { compareToTruth, isClean, truthOf } from '../scripts/truth-check';

const PAGE = 100;
/** The vendor's bucket: 40 requests, draining 2 per second. */
const BUCKET = 40;
const DRAIN = 2;
const OFF = { use_embedded_children: false, use_order_filters: false, use_counts: false };

type Truth = Record<string, Array<Record<string, any>>>;

/** Pages a list of n records needs when answers carry no total: a short page proves the end. */
const pages = (n: number) => Math.floor(n / PAGE) + 1;

/**
 * The fewest requests the data needs: one page run per list, one per product
 * for reviews and options (no way around them), none for images and
 * variations (embedded), and for an incremental sync only the orders created
 * at or after the state.
 */
function minimumRequests(truth: Truth, parents: Record<string, Record<string, number>>, ordersSince?: number): number {
  let total = 0;
  for (const s of STREAM_TABLE) {
    if (s.unpaginated) total += 1;
    else if (s.name === 'products_images' || s.name === 'products_variations') continue;
    else if (s.parent) {
      const perProduct = new Map<number, number>(truth.products.map((p) => [p.id as number, 0]));
      for (const parent of Object.values(parents[s.name])) perProduct.set(parent, (perProduct.get(parent) ?? 0) + 1);
      for (const n of perProduct.values()) total += pages(n);
    } else if (s.name === 'orders' && ordersSince !== undefined) {
      total += pages(truth.orders.filter((o) => Date.parse(o.created) >= ordersSince).length);
    } else total += pages(truth[s.name].length);
  }
  return total;
}

interface Pair {
  full_requests: number;
  incremental_requests: number;
  /** The incremental sync's requests to /v1/events (the change feed and the events stream together). */
  incremental_events_requests: number;
  complete: boolean;
  estimates: string[];
}

/**
 * A full sync, `between`, then an incremental sync from its state. `settled`: one
 * incremental sync more before `between`, so that the measured one starts from a
 * state every reader of the events log has written since_id into (a shop synced
 * on a schedule; the first incremental sync after the full one asks `created_after`).
 */
async function syncTwice(sandbox: Sandbox, dir: string, options: object, between: () => void, settled = false): Promise<Pair> {
  const configFile = path.join(dir, 'config.json');
  const catalogFile = path.join(dir, 'catalog.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({ api_key: 'demo_key', api_secret: 'demo_secret', base_url: sandbox.url, page_size: PAGE, page_size_parameter: 'count', rate_limit_capacity: 0, ...options })
  );
  fs.writeFileSync(
    catalogFile,
    JSON.stringify({
      streams: STREAM_TABLE.map((s) => ({
        stream: { name: s.name },
        sync_mode: s.cursor ? 'incremental' : 'full_refresh',
        cursor_field: s.cursor ? [s.cursor] : undefined,
        destination_sync_mode: 'append_dedup',
      })),
    })
  );
  const args = ['read', '--config', configFile, '--catalog', catalogFile];
  sandbox.resetCounters();
  const first = await runConnector(args, path.join(dir, 'full.jsonl'));
  const fullRequests = sandbox.counters().requests;
  fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(lastStates(first)));
  const warmUp = settled ? await runConnector([...args, '--state', path.join(dir, 'state.json')], path.join(dir, 'warm-up.jsonl')) : undefined;
  if (warmUp) fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(lastStates(warmUp)));
  between();
  sandbox.resetCounters();
  const second = await runConnector([...args, '--state', path.join(dir, 'state.json')], path.join(dir, 'incremental.jsonl'));
  const incrementalRequests = sandbox.counters().requests;
  const incrementalEvents = sandbox.counters().byResource.events ?? 0;
  const truth = truthOf(sandbox);
  const runs = warmUp ? [first, warmUp, second] : [first, second];
  const records = (stream: string) => runs.flatMap((r) => recordsOf(r, stream));
  const complete =
    runs.every((r) => r.code === 0) && STREAM_TABLE.every((s) => isClean(compareToTruth(s.name, records(s.name), truth, { merge: true })));
  const estimates = first.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ESTIMATE').map((m) => m.trace.estimate.name);
  return { full_requests: fullRequests, incremental_requests: incrementalRequests, incremental_events_requests: incrementalEvents, complete, estimates: estimates.sort() };
}

/** The shop change between the two syncs: new orders and customers, a few updated products, a new review. */
function changeShop(sandbox: Sandbox): void {
  sandbox.mutate({ op: 'insert', resource: 'orders', count: 25 });
  sandbox.mutate({ op: 'insert', resource: 'customers', count: 5 });
  sandbox.mutate({ op: 'update', resource: 'products', ids: [1, 2, 3] });
  sandbox.mutate({ op: 'insert', resource: 'products_reviews', count: 1, product_id: 1 });
}

/** Issue 20's live shop: the same change, and 1 % of the existing orders and customers changed (spread over their ages), each with its event. */
function changeOnePercent(sandbox: Sandbox): number {
  const every100th = (recs: Array<Record<string, any>>) => recs.filter((_, i) => i % 100 === 50).map((r) => r.id as number);
  const truth = truthOf(sandbox).streams;
  const orders = every100th(truth.orders);
  const customers = every100th(truth.customers);
  changeShop(sandbox);
  sandbox.mutate({ op: 'update', resource: 'orders', ids: orders });
  sandbox.mutate({ op: 'update', resource: 'customers', ids: customers });
  return orders.length + customers.length;
}

/** The default lookback (lookback_days 30) and the 24 h margin `from` adds for the server's zone. */
const LOOKBACK_MS = (30 + 1) * 24 * 60 * 60 * 1000;

/**
 * The live shop of issue 20: incremental after 1 % of orders and customers
 * changed, default options (events log and lookback on). The goal: today's
 * incremental minimum with the lookback window's order pages, plus the changed
 * records ÷ 100 (re-read with `ids`), times 1.05.
 */
async function changedScenario(scale: number) {
  const sandbox = await startSandbox({ vendor: true, rateLimitCapacity: 0, scale });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-live-shop-'));
  try {
    const before = truthOf(sandbox);
    const newestOrder = Math.max(...before.streams.orders.map((o) => Date.parse(String(o.created))));
    let changed = 0;
    const pair = await syncTwice(sandbox, dir, {}, () => (changed = changeOnePercent(sandbox)));
    const after = truthOf(sandbox);
    const todayMinimum = minimumRequests(after.streams, after.parents, newestOrder);
    const withLookback = minimumRequests(after.streams, after.parents, newestOrder - LOOKBACK_MS);
    const goalBase = withLookback + Math.ceil(changed / PAGE);
    return { changed, todayMinimum, lookbackPages: withLookback - todayMinimum, goalBase, ...pair, over_goal_base: pair.incremental_requests / goalBase };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await sandbox.close();
  }
}

/** A shop's history: this many events in its log before the first sync (stock changes, order updates, ...). */
const HISTORY_EVENTS = 100_000;

/**
 * The 1 % change on a shop whose events log already holds HISTORY_EVENTS
 * (issue 30): what the log adds to an incremental sync, against the goal of
 * (new events ÷ page size) + 3 requests. `settings` chooses a server that
 * honours `since_id` / `created_after` or one that ignores them.
 */
async function historyScenario(scale: number, settings: object) {
  const sandbox = await startSandbox({ vendor: true, rateLimitCapacity: 0, scale });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-live-shop-'));
  try {
    sandbox.updateSettings(settings);
    // The sandbox inserts at most 10,000 records per mutation.
    for (let n = 0; n < HISTORY_EVENTS; n += 10_000) sandbox.mutate({ op: 'insert', resource: 'events', count: Math.min(10_000, HISTORY_EVENTS - n) });
    let lastEventId = 0;
    const pair = await syncTwice(
      sandbox,
      dir,
      {},
      () => {
        lastEventId = Math.max(...truthOf(sandbox).streams.events.map((e) => e.id as number));
        changeOnePercent(sandbox);
      },
      true
    );
    const newEvents = truthOf(sandbox).streams.events.filter((e) => (e.id as number) > lastEventId).length;
    return { events: HISTORY_EVENTS, newEvents, eventsGoal: Math.ceil(newEvents / PAGE) + 3, ...pair };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await sandbox.close();
  }
}

async function scenario(scale: number, settings: object, options: object) {
  const sandbox = await startSandbox({ vendor: true, rateLimitCapacity: 0, scale });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-live-shop-'));
  try {
    sandbox.updateSettings(settings);
    const before = truthOf(sandbox);
    const fullMinimum = minimumRequests(before.streams, before.parents);
    // The state the incremental sync starts from is the newest order of the full sync.
    const newestOrder = Math.max(...before.streams.orders.map((o) => Date.parse(String(o.created))));
    const pair = await syncTwice(sandbox, dir, options, () => changeShop(sandbox));
    const after = truthOf(sandbox);
    const incrementalMinimum = minimumRequests(after.streams, after.parents, newestOrder);
    return { products: before.streams.products.length, fullMinimum, incrementalMinimum, ...pair };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await sandbox.close();
  }
}

export async function liveShop(quick: boolean) {
  const scale = quick ? 5 : 50;
  const honoured = await scenario(scale, {}, {});
  const ignored = await scenario(scale, { embed: false, orderFilters: false, counts: false }, {});
  const before = await scenario(scale, {}, OFF);
  const changed = await changedScenario(scale);
  const history = await historyScenario(scale, {});
  const historyIgnored = await historyScenario(scale, { eventFilters: false });
  const vendorMinutes = (requests: number) => Math.max(0, requests - BUCKET) / DRAIN / 60;
  return {
    page_size: PAGE,
    products: honoured.products,
    honoured,
    ignored,
    before,
    changed,
    history,
    history_ignored: historyIgnored,
    full_over_minimum: honoured.full_requests / honoured.fullMinimum,
    incremental_over_minimum: honoured.incremental_requests / honoured.incrementalMinimum,
    ignored_minus_before: {
      full: ignored.full_requests - before.full_requests,
      incremental: ignored.incremental_requests - before.incremental_requests,
    },
    vendor_minutes: {
      honoured_full: vendorMinutes(honoured.full_requests),
      honoured_incremental: vendorMinutes(honoured.incremental_requests),
      before_full: vendorMinutes(before.full_requests),
      before_incremental: vendorMinutes(before.incremental_requests),
      changed_full: vendorMinutes(changed.full_requests),
      changed_incremental: vendorMinutes(changed.incremental_requests),
      history_incremental: vendorMinutes(history.incremental_requests),
      history_ignored_incremental: vendorMinutes(historyIgnored.incremental_requests),
    },
  };
}

export function liveShopRows(r: Awaited<ReturnType<typeof liveShop>>, ratio: (x: number) => string, ok: (b: boolean) => string): string[][] {
  const s = `live shop (vendor, page 100, ${r.products} products)`;
  const m = (x: number) => `${x.toFixed(1)} min`;
  return [
    [s, `full sync: requests ÷ minimum (${r.honoured.full_requests} ÷ ${r.honoured.fullMinimum})`, ratio(r.full_over_minimum), '≤ 1.05', ok(r.full_over_minimum <= 1.05 && r.honoured.complete)],
    [s, `incremental after a change: requests ÷ minimum (${r.honoured.incremental_requests} ÷ ${r.honoured.incrementalMinimum})`, ratio(r.incremental_over_minimum), '≤ 1.05', ok(r.incremental_over_minimum <= 1.05 && r.honoured.complete)],
    [s, 'server honouring none: every record; requests − before (full, incremental)', `${r.ignored.complete ? 'all records' : 'RECORDS MISSING'}; +${r.ignored_minus_before.full}, +${r.ignored_minus_before.incremental}`, 'all; ≤ +3', ok(r.ignored.complete && r.ignored_minus_before.full <= 3 && r.ignored_minus_before.incremental <= 3)],
    [s, `1 % of orders and customers changed (${r.changed.changed}): incremental requests ÷ (minimum ${r.changed.todayMinimum} + lookback pages ${r.changed.lookbackPages} + changed ÷ 100)`, `${r.changed.incremental_requests} ÷ ${r.changed.goalBase} = ${ratio(r.changed.over_goal_base)}`, '≤ 1.05', ok(r.changed.over_goal_base <= 1.05 && r.changed.complete)],
    [s, '1 % changed: full sync requests (unchanged by the change feed)', String(r.changed.full_requests), `= ${r.honoured.full_requests}`, ok(r.changed.full_requests === r.honoured.full_requests)],
    [s, `1 % changed: full and incremental requests side by side (minutes at 2 requests/s)`, `${r.changed.full_requests} (${m(r.vendor_minutes.changed_full)}), ${r.changed.incremental_requests} (${m(r.vendor_minutes.changed_incremental)})`, '—', '—'],
    [s, `1 % changed, ${r.history.events} events in the log: incremental /v1/events requests (${r.history.newEvents} new events)`, `${r.history.incremental_events_requests} (all: ${r.history.incremental_requests}, ${m(r.vendor_minutes.history_incremental)})`, `≤ ${r.history.eventsGoal}`, ok(r.history.incremental_events_requests <= r.history.eventsGoal && r.history.complete)],
    [s, `the same, server ignoring since_id / created_after: /v1/events requests, every record`, `${r.history_ignored.incremental_events_requests} (all: ${r.history_ignored.incremental_requests}, ${m(r.vendor_minutes.history_ignored_incremental)}); ${r.history_ignored.complete ? 'all records' : 'RECORDS MISSING'}`, 'all records', ok(r.history_ignored.complete)],
    [s, 'estimates (TRACE ESTIMATE) in the vendor dialect', r.honoured.estimates.join(', ') || 'none', 'products, orders, customers, categories', ok(['categories', 'customers', 'orders', 'products'].every((n) => r.honoured.estimates.includes(n)))],
    [s, `at the vendor's 40 / 2 per s: full, incremental (before: ${r.before.full_requests} and ${r.before.incremental_requests} requests)`, `${m(r.vendor_minutes.honoured_full)}, ${m(r.vendor_minutes.honoured_incremental)} (before: ${m(r.vendor_minutes.before_full)}, ${m(r.vendor_minutes.before_incremental)})`, '—', '—'],
  ];
}
