/**
 * Scenario 5 of `npm run bench`: requests on a live shop (issues 11, 30). At
 * the vendor's 2 requests per second the request count is the sync's duration,
 * so this scenario counts requests, not seconds: vendor dialect, page size
 * 100, all 14 streams, a full sync and then an incremental sync after a shop
 * change, against a server that honours what the vendor's reference offers
 * (embed, from + sort=date, /count, since_id, sort=created_desc) and against
 * one that honours none of them; plus the connector with its three options off
 * on a server ignoring since_id and created_desc ("before": the requests of the
 * connector before these existed). The minimum is recomputed from the reference.
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

/** When a record was created, in whichever name the vendor form gives it (orders `created`, others `createdAt`). */
const createdOf = (r: Record<string, any>) => Date.parse(String(r.created ?? r.createdAt ?? r.created_at_utc));

/** The orders `ids=` filter takes at most this many ids a request (orders.yaml). */
const IDS_MAX = 50;

/** Where an incremental sync starts: each stream's saved state, and the records the events log names as changed since. */
interface Start {
  states: Record<string, Record<string, any>>;
  changed: { orders: number[]; customers: number[] };
}

/**
 * The fewest requests the data needs when the server honours what the vendor's reference offers
 * (/work/vendor-ref/*.yaml), per list:
 * - images, variations and options: none (`embed=images,variations,options` on the products list);
 * - reviews: per product, the pages of its list (no embed, no top-level list, no change topic), and on an
 *   incremental sync the pages down to its first review older than the cursor (`sort=created_desc`): one
 *   request per product when nothing is new;
 * - customers and orders: one run of pages per `trade` / `archived` value (the plain list may hide one
 *   side); incremental: orders created at or after the cursor (`from` + `sort=date`) and changed orders by
 *   `ids=` (50 a request); customers newest first down to the cursor (`sort=created_desc`) and each changed
 *   older customer by id (no `ids` on customers), or the side's whole list where that is fewer;
 * - categories, pages, themes: incremental, the pages down to the cursor (`sort=created_desc`);
 * - events: incremental, the events past the last id read (`since_id`);
 * - products, choice sets, shipping zones, countries: the whole list (no server filter fits them).
 * A short page ends a list (no totals); `/count` estimates are not counted.
 */
function minimumRequests(truth: Truth, parents: Record<string, Record<string, number>>, start?: Start): number {
  const since = (stream: string) => {
    const at = start?.states[stream]?.created_at_utc;
    return at === undefined ? undefined : Date.parse(at);
  };
  /** The pages of a list read newest first down to its first record older than the cursor (all of it on a full sync). */
  const down = (list: Array<Record<string, any>>, cursor: number | undefined) => pages(cursor === undefined ? list.length : list.filter((r) => createdOf(r) >= cursor).length);
  const sides = (list: Array<Record<string, any>>, flag: string) => [list.filter((r) => r[flag] === true), list.filter((r) => r[flag] !== true)];
  let total = 0;
  for (const s of STREAM_TABLE) {
    const list = truth[s.name];
    if (s.unpaginated) total += 1;
    else if (s.name === 'products_images' || s.name === 'products_variations' || s.name === 'product_options') continue;
    else if (s.name === 'products_reviews') {
      const perProduct = new Map<number, Array<Record<string, any>>>(truth.products.map((p) => [p.id as number, []]));
      for (const review of list) perProduct.get(parents[s.name][String(review.id)])?.push(review);
      for (const reviews of perProduct.values()) total += down(reviews, since(s.name));
    } else if (s.name === 'orders') {
      const changed = new Set(start?.changed.orders ?? []);
      const cursor = since(s.name);
      for (const side of sides(list, 'archived')) total += down(side, cursor);
      const old = list.filter((o) => changed.has(o.id as number) && cursor !== undefined && createdOf(o) < cursor).length;
      total += Math.ceil(old / IDS_MAX);
    } else if (s.name === 'customers') {
      const changed = new Set(start?.changed.customers ?? []);
      const cursor = since(s.name);
      for (const side of sides(list, 'trade')) {
        const old = side.filter((c) => changed.has(c.id as number) && cursor !== undefined && createdOf(c) < cursor).length;
        total += Math.min(down(side, cursor) + old, pages(side.length));
      }
    } else if (s.name === 'events' && start?.states.events?.events_since_id !== undefined) {
      total += pages(list.filter((e) => (e.id as number) > start.states.events.events_since_id).length);
    } else if (s.cursor === 'created_at_utc') total += down(list, since(s.name));
    else total += pages(list.length);
  }
  return total;
}

interface Pair {
  full_requests: number;
  incremental_requests: number;
  /** The incremental sync's requests to /v1/events (the change feed and the events stream together). */
  incremental_events_requests: number;
  /** The requests to the per-product options lists, full and incremental: only the few that check an embedded array is whole. */
  full_options_requests: number;
  incremental_options_requests: number;
  complete: boolean;
  estimates: string[];
  /** Where the incremental sync started: for its minimum. */
  start: Start;
}

/** The per-stream states of the last STATE of each stream in a run. */
function statesOf(messages: ReturnType<typeof lastStates>): Start['states'] {
  return Object.fromEntries(messages.map((m: any) => [m.stream.stream_descriptor.name, m.stream.stream_state ?? {}]));
}

/**
 * A full sync, `between` (which says which records it changed), then an incremental sync from its state.
 * `settled`: one incremental sync more before `between`, so that the measured one starts from a state
 * every reader of the events log has written since_id into (a shop synced on a schedule; the first
 * incremental sync after the full one asks `created_after`).
 */
async function syncTwice(sandbox: Sandbox, dir: string, options: object, between: () => Start['changed'], settled = false): Promise<Pair> {
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
  const full = sandbox.counters();
  let states = lastStates(first);
  const warmUp = settled ? await runConnector([...args, '--state', writeState(dir, states)], path.join(dir, 'warm-up.jsonl')) : undefined;
  if (warmUp) states = lastStates(warmUp);
  const changed = between();
  sandbox.resetCounters();
  const second = await runConnector([...args, '--state', writeState(dir, states)], path.join(dir, 'incremental.jsonl'));
  const incremental = sandbox.counters();
  const truth = truthOf(sandbox);
  const runs = warmUp ? [first, warmUp, second] : [first, second];
  const records = (stream: string) => runs.flatMap((r) => recordsOf(r, stream));
  const complete =
    runs.every((r) => r.code === 0) && STREAM_TABLE.every((s) => isClean(compareToTruth(s.name, records(s.name), truth, { merge: true })));
  const estimates = first.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ESTIMATE').map((m) => m.trace.estimate.name);
  return {
    full_requests: full.requests,
    incremental_requests: incremental.requests,
    incremental_events_requests: incremental.byResource.events ?? 0,
    full_options_requests: full.byResource.product_options ?? 0,
    incremental_options_requests: incremental.byResource.product_options ?? 0,
    complete,
    estimates: estimates.sort(),
    start: { states: statesOf(states), changed },
  };
}

function writeState(dir: string, states: ReturnType<typeof lastStates>): string {
  const file = path.join(dir, 'state.json');
  fs.writeFileSync(file, JSON.stringify(states));
  return file;
}

/** The shop change between the two syncs: new orders and customers, a few updated products, a new review. */
function changeShop(sandbox: Sandbox): Start['changed'] {
  sandbox.mutate({ op: 'insert', resource: 'orders', count: 25 });
  sandbox.mutate({ op: 'insert', resource: 'customers', count: 5 });
  sandbox.mutate({ op: 'update', resource: 'products', ids: [1, 2, 3] });
  sandbox.mutate({ op: 'insert', resource: 'products_reviews', count: 1, product_id: 1 });
  return { orders: [], customers: [] };
}

/** Issue 20's live shop: the same change, and 1 % of the existing orders and customers changed (spread over their ages), each with its event. */
function changeOnePercent(sandbox: Sandbox): Start['changed'] {
  const every100th = (recs: Array<Record<string, any>>) => recs.filter((_, i) => i % 100 === 50).map((r) => r.id as number);
  const truth = truthOf(sandbox).streams;
  const orders = every100th(truth.orders);
  const customers = every100th(truth.customers);
  changeShop(sandbox);
  sandbox.mutate({ op: 'update', resource: 'orders', ids: orders });
  sandbox.mutate({ op: 'update', resource: 'customers', ids: customers });
  return { orders, customers };
}

/**
 * The live shop of issue 20: incremental after 1 % of orders and customers changed, default options
 * (events log and lookback on), against the minimum from where it started and issue 30's goal of
 * products + 40 requests.
 */
async function changedScenario(scale: number) {
  const sandbox = await startSandbox({ vendor: true, rateLimitCapacity: 0, scale });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-live-shop-'));
  try {
    const before = truthOf(sandbox);
    const pair = await syncTwice(sandbox, dir, {}, () => changeOnePercent(sandbox));
    const after = truthOf(sandbox);
    const products = before.streams.products.length;
    const fullMinimum = minimumRequests(before.streams, before.parents);
    const incrementalMinimum = minimumRequests(after.streams, after.parents, pair.start);
    const changed = pair.start.changed.orders.length + pair.start.changed.customers.length;
    return { changed, products, fullMinimum, incrementalMinimum, incrementalGoal: products + 40, ...pair };
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
        return changeOnePercent(sandbox);
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
    const pair = await syncTwice(sandbox, dir, options, () => changeShop(sandbox));
    const after = truthOf(sandbox);
    const incrementalMinimum = minimumRequests(after.streams, after.parents, pair.start);
    return { products: before.streams.products.length, fullMinimum, incrementalMinimum, ...pair };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await sandbox.close();
  }
}

export async function liveShop(quick: boolean) {
  const scale = quick ? 5 : 50;
  const honoured = await scenario(scale, {}, {});
  // since_id and sort=created_desc have no option to turn off: "before" they existed is a server ignoring them.
  const unsorted = { eventFilters: false, createdSort: false };
  const ignored = await scenario(scale, { embed: false, orderFilters: false, counts: false, ...unsorted }, {});
  const before = await scenario(scale, unsorted, OFF);
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
    changed_over_goal: changed.incremental_requests / changed.incrementalGoal,
    changed_over_minimum: changed.incremental_requests / changed.incrementalMinimum,
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
  const options = (n: number) => (n > 0 ? `; ${n} of them options lists checking an embedded array is whole` : '');
  return [
    [s, `full sync: requests ÷ minimum (${r.honoured.full_requests} ÷ ${r.honoured.fullMinimum}${options(r.honoured.full_options_requests)})`, ratio(r.full_over_minimum), '≤ 1.05', ok(r.full_over_minimum <= 1.05 && r.honoured.complete)],
    [s, `incremental after a small change: requests ÷ minimum (${r.honoured.incremental_requests} ÷ ${r.honoured.incrementalMinimum}${options(r.honoured.incremental_options_requests)})`, ratio(r.incremental_over_minimum), '—', '—'],
    [s, `1 % of orders and customers changed (${r.changed.changed}): incremental requests ÷ (products + 40)${options(r.changed.incremental_options_requests)}`, `${r.changed.incremental_requests} ÷ ${r.changed.incrementalGoal} = ${ratio(r.changed_over_goal)} (÷ the minimum the reference allows, ${r.changed.incrementalMinimum}: ${ratio(r.changed_over_minimum)})`, '≤ 1', ok(r.changed_over_goal <= 1 && r.changed.complete)],
    [s, `1 % changed: full and incremental requests side by side (minutes at 2 requests/s)`, `${r.changed.full_requests} (${m(r.vendor_minutes.changed_full)}), ${r.changed.incremental_requests} (${m(r.vendor_minutes.changed_incremental)})`, '—', '—'],
    [s, `1 % changed, ${r.history.events} events in the log: incremental /v1/events requests (${r.history.newEvents} new events)`, `${r.history.incremental_events_requests} (all: ${r.history.incremental_requests}, ${m(r.vendor_minutes.history_incremental)})`, `≤ ${r.history.eventsGoal}`, ok(r.history.incremental_events_requests <= r.history.eventsGoal && r.history.complete)],
    [s, `the same, server ignoring since_id / created_after: /v1/events requests, every record`, `${r.history_ignored.incremental_events_requests} (all: ${r.history_ignored.incremental_requests}, ${m(r.vendor_minutes.history_ignored_incremental)}); ${r.history_ignored.complete ? 'all records' : 'RECORDS MISSING'}`, 'all records', ok(r.history_ignored.complete)],
    [s, 'server honouring none (embed, from, /count, since_id, created_desc): every record; requests − before (full, incremental)', `${r.ignored.complete ? 'all records' : 'RECORDS MISSING'}; +${r.ignored_minus_before.full}, +${r.ignored_minus_before.incremental}`, 'all; ≤ +3', ok(r.ignored.complete && r.ignored_minus_before.full <= 3 && r.ignored_minus_before.incremental <= 3)],
    [s, 'estimates (TRACE ESTIMATE) in the vendor dialect', r.honoured.estimates.join(', ') || 'none', 'products, orders, customers, categories', ok(['categories', 'customers', 'orders', 'products'].every((n) => r.honoured.estimates.includes(n)))],
    [s, `at the vendor's 40 / 2 per s: full, incremental after a small change (before: ${r.before.full_requests} and ${r.before.incremental_requests} requests)`, `${m(r.vendor_minutes.honoured_full)}, ${m(r.vendor_minutes.honoured_incremental)} (before: ${m(r.vendor_minutes.before_full)}, ${m(r.vendor_minutes.before_incremental)})`, '—', '—'],
  ];
}
