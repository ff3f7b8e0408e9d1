/**
 * `npm run bench`: how close the connector gets to what the API allows.
 * Not a test: it prints figures, each a ratio measured within one run so that
 * it holds on a noisy, shared machine. Writes bench/results.json.
 *
 * 1. Rate-limited: wall time ÷ the floor the bucket imposes, 429s ÷ requests,
 *    requests ÷ the minimum the data needs.
 * 2. Latency-bound: wall time at the default concurrency ÷ at concurrency 1.
 * 3. Throughput: records/s ÷ two plain-Node baselines' (bench/baseline.mjs, one
 *    request at a time over one socket, and 8 in flight), and peak RSS as data
 *    doubles, on the ten top-level lists at page size 100. All three programs
 *    make the same requests (counted on the sandbox) and print the same RECORD
 *    bytes; both are checked on every run.
 * 4. Big shop: the same figures for all 14 streams at the default page size 20
 *    (half the records come from per-product child lists), ≥ 40,000 records;
 *    and peak RSS with default options (children embedded in the products list).
 *    Figures of 3 and 4 are medians of 3 rounds (1 with --quick), each round
 *    running every program once; ratios are taken within a round, and their
 *    range is printed beside the median.
 * 5. Live shop: requests ÷ the minimum the data needs, vendor dialect, with and
 *    without the server honouring embed, from and /count (bench/live-shop.ts).
 * 6. Start-up: spec, check, discover and read of one small stream, wall time ÷
 *    bare `node -e 0`'s and peak RSS (bench/start-up.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { table } from 'table';

import { startSandbox } from '../sandbox/server';
import { liveShop, liveShopRows } from './live-shop';
import { BASELINE, connector, measure, Measured, median, TMP } from './measure';
import { startUp, startUpRows } from './start-up';
import { STREAM_TABLE } from '../scripts/streams';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false }, // smaller data, for trying the bench itself
    only: { type: 'string' }, // 'big-shop', 'live-shop' or 'start-up': that scenario alone, printed but not written to results.json
  },
});

// The shared table of the 14 streams (scripts/streams.ts), in the shape this file uses.
const STREAMS: Array<{ name: string; path: string; pk: string; child?: boolean; single?: boolean }> = STREAM_TABLE.map((s) => ({
  name: s.name,
  path: s.path,
  pk: s.pk,
  child: !!s.parent,
  single: !!s.unpaginated,
}));

/** The fewest requests that can read these streams with this page size, given a total in every answer. */
function minimumRequests(truth: Record<string, Array<Record<string, any>>>, pageSize: number, streams = STREAMS): number {
  const pages = (n: number) => Math.max(1, Math.ceil(n / pageSize));
  let total = 0;
  for (const s of streams) {
    if (s.single) total += 1;
    else if (!s.child) total += pages(truth[s.name].length);
    else {
      const perProduct = new Map<unknown, number>(truth.products.map((p) => [p.id, 0]));
      for (const r of truth[s.name]) perProduct.set(r.product_id, (perProduct.get(r.product_id) ?? 0) + 1);
      for (const n of perProduct.values()) total += pages(n);
    }
  }
  return total;
}

const ratio = (x: number) => x.toFixed(3);

async function rateLimited() {
  // The vendor drains 2 requests/s; 10/s on both sides keeps the run short without changing the shape.
  const drain = 10;
  const sandbox = await startSandbox({ rateLimitCapacity: 40, rateLimitPerSecond: drain, scale: args.quick ? 0.5 : 1 });
  try {
    const minimum = minimumRequests(sandbox.truth(), 20);
    const run = await measure(
      // Pacing is measured on the per-product requests of every child stream (scenario 5 counts what embedding saves).
      connector({ base_url: sandbox.url, rate_limit_per_second: drain, use_embedded_children: false }, STREAMS.map((s) => s.name))
    );
    const c = sandbox.counters();
    const floor = (c.requests - 40) / drain;
    return {
      drain_per_second: drain,
      bucket: 40,
      requests: c.requests,
      minimum_requests: minimum,
      throttled_429: c.rateLimited,
      wall_seconds: run.seconds,
      floor_seconds: floor,
      wall_over_floor: run.seconds / floor,
      throttled_share: c.rateLimited / c.requests,
      requests_over_minimum: c.requests / minimum,
      exit_code: run.code,
    };
  } finally {
    await sandbox.close();
  }
}

async function latencyBound() {
  const sandbox = await startSandbox({ rateLimitCapacity: 0, latencyMs: 300, scale: args.quick ? 0.3 : 1 });
  try {
    const base = { base_url: sandbox.url, rate_limit_capacity: 0 };
    const names = STREAMS.map((s) => s.name);
    const parallel = await measure(connector(base, names), true);
    const serial = await measure(connector({ ...base, max_concurrency: 1 }, names), true);
    return {
      latency_ms: 300,
      products: sandbox.truth().products.length,
      requests_per_run: sandbox.counters().requests / 2,
      default_concurrency_seconds: parallel.seconds,
      concurrency_1_seconds: serial.seconds,
      time_ratio: parallel.seconds / serial.seconds,
      records: parallel.records,
      records_identical: JSON.stringify(parallel.digests) === JSON.stringify(serial.digests),
      exit_codes: [parallel.code, serial.code],
    };
  } finally {
    await sandbox.close();
  }
}

/** Top-level lists only: at this scale the per-product lists would make it a request-count benchmark. */
const THROUGHPUT_STREAMS = STREAMS.filter((s) => !s.child);

/** Each program runs this many times per size, alternating; figures are medians (one run is one sample on a shared machine). */
const RUNS = args.quick ? 1 : 3;

/** The connector's default concurrency (max_concurrency): the second baseline keeps as many requests in flight. */
const IN_FLIGHT: number = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'resources', 'spec.json'), 'utf8')).connectionSpecification
  .properties.max_concurrency.default;

/** What one program did in one run of a size, and the connector's ratio to it in the same round. */
interface Program {
  runs: Measured[];
  requests: number[];
}

/** Median and range of per-round figures: each round runs every program once, back to back. */
function spread(values: number[]) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

async function throughputAt(scale: number, pageSize: number, streams: typeof STREAMS, withDefaults: boolean) {
  const sandbox = await startSandbox({ rateLimitCapacity: 0, scale, pageCap: Math.max(100, pageSize) });
  try {
    const truth = sandbox.truth();
    const expected = streams.reduce((n, s) => n + truth[s.name as keyof typeof truth].length, 0);
    const names = streams.map((s) => s.name);
    const base = { base_url: sandbox.url, rate_limit_capacity: 0, page_size: pageSize };
    const targets = streams.map((s) => `${s.name}=${s.path}`);
    const programs: Record<'ours' | 'sequential' | 'inFlight' | 'defaults', string[]> = {
      // The baselines read every product's child lists; so does the connector here (embedding saves
      // requests, which scenario 5 counts; this one compares the cost of the same requests).
      ours: connector({ ...base, use_embedded_children: false }, names),
      sequential: [BASELINE, sandbox.url, String(pageSize), '1', ...targets],
      inFlight: [BASELINE, sandbox.url, String(pageSize), String(IN_FLIGHT), ...targets],
      // What a user runs: default options, so children come embedded in the products list where it can.
      defaults: connector(base, names),
    };
    const order = (Object.keys(programs) as Array<keyof typeof programs>).filter((p) => withDefaults || p !== 'defaults');
    const results = Object.fromEntries(order.map((p) => [p, { runs: [], requests: [] } as Program])) as Record<keyof typeof programs, Program>;
    for (let i = 0; i < RUNS; i++) {
      for (const p of order) {
        sandbox.resetCounters();
        results[p].runs.push(await measure(programs[p]));
        results[p].requests.push(sandbox.counters().requests);
      }
    }
    const rate = (m: Measured) => m.records / m.seconds;
    const ratios = (to: Program) => spread(results.ours.runs.map((m, i) => rate(m) / rate(to.runs[i])));
    const figures = (p: Program) => ({
      records_per_second: median(p.runs.map(rate)),
      seconds: median(p.runs.map((m) => m.seconds)),
      cpu_seconds: median(p.runs.map((m) => m.cpuSeconds)),
      peak_rss_mb: median(p.runs.map((m) => m.peakRssMb)),
      requests: p.requests,
      record_bytes: p.runs.map((m) => m.recordBytes),
    });
    const all = order.flatMap((p) => results[p].runs);
    const compared = [results.ours, results.sequential, results.inFlight];
    return {
      expected,
      connector: figures(results.ours),
      sequential_baseline: figures(results.sequential),
      in_flight_baseline: figures(results.inFlight),
      default_options: withDefaults ? figures(results.defaults) : undefined,
      ratio_to_sequential: ratios(results.sequential),
      ratio_to_in_flight: ratios(results.inFlight),
      // Same requests (counted on the sandbox) and the same RECORD lines, byte for byte but emitted_at.
      same_requests: new Set(compared.flatMap((p) => p.requests)).size === 1,
      same_record_bytes: new Set(compared.flatMap((p) => p.runs.map((m) => m.recordBytes))).size === 1,
      all_records_read: all.every((m) => m.records === expected),
      exit_codes: all.map((m) => m.code),
    };
  } finally {
    await sandbox.close();
  }
}

/** Top-level lists at page size 100: records/s when requests are few and pages full. */
function throughput() {
  return throughputPair(args.quick ? 20 : 280, 100, THROUGHPUT_STREAMS, false);
}

/**
 * All 14 streams at the default page size, as a user syncs: about 5 records per
 * request, so per-request and per-slice costs count as much as per-record ones.
 * Scale 27 is the smallest shop of this seed with ≥ 40,000 records.
 */
function bigShop() {
  return throughputPair(args.quick ? 3 : 27, 20, STREAMS, true);
}

async function throughputPair(scale: number, pageSize: number, streams: typeof STREAMS, withDefaults: boolean) {
  const small = await throughputAt(scale, pageSize, streams, withDefaults);
  const doubled = await throughputAt(scale * 2, pageSize, streams, withDefaults);
  const { expected, ...smallFigures } = small;
  const { expected: expectedDoubled, ...doubledFigures } = doubled;
  return {
    runs_per_figure: RUNS,
    in_flight: IN_FLIGHT,
    records: expected,
    records_doubled: expectedDoubled,
    ...smallFigures,
    doubled: doubledFigures,
    connector_rss_growth: doubled.connector.peak_rss_mb / small.connector.peak_rss_mb,
    sequential_baseline_rss_growth: doubled.sequential_baseline.peak_rss_mb / small.sequential_baseline.peak_rss_mb,
    ...(withDefaults && { default_options_rss_growth: doubled.default_options!.peak_rss_mb / small.default_options!.peak_rss_mb }),
  };
}

const ok = (pass: boolean) => (pass ? 'yes' : 'NO');

/** The peak RSS goal of scenarios 3 and 4 (MB), and how flat it must stay when the data doubles. */
const RSS_GOAL_MB = 100;
const FLAT = 1.05;

/** The requests each program made, one figure when every run agreed. */
function requestsOf(tp: { connector: { requests: number[] }; sequential_baseline: { requests: number[] }; in_flight_baseline: { requests: number[] } }): string {
  const each = [tp.connector, tp.sequential_baseline, tp.in_flight_baseline].map((p) => [...new Set(p.requests)].join('/'));
  return new Set(each).size === 1 ? `${each[0]} each` : each.join(', ');
}

function throughputRows(scenario: string, tp: Awaited<ReturnType<typeof throughputPair>>): string[][] {
  const same = tp.same_requests && tp.same_record_bytes && tp.doubled.same_requests && tp.doubled.same_record_bytes;
  const read = tp.all_records_read && tp.doubled.all_records_read;
  const r = (s: { median: number; min: number; max: number }) => `${ratio(s.median)} (${ratio(s.min)}–${ratio(s.max)})`;
  const rate = (x: number) => Math.round(x).toLocaleString('en');
  const mb = (x: number) => x.toFixed(0);
  const rows: string[][] = [
    [scenario, `records/s ÷ sequential baseline's (${rate(tp.connector.records_per_second)} ÷ ${rate(tp.sequential_baseline.records_per_second)}, ${tp.records} records, ${tp.connector.requests[0]} requests)`, r(tp.ratio_to_sequential), '≥ 0.8', ok(tp.ratio_to_sequential.median >= 0.8 && read)],
    [scenario, `records/s ÷ ${tp.in_flight}-in-flight baseline's (÷ ${rate(tp.in_flight_baseline.records_per_second)})`, r(tp.ratio_to_in_flight), '(reported)', ''],
    [scenario, `same, data doubled (${tp.records_doubled} records): ÷ sequential, ÷ ${tp.in_flight} in flight`, `${r(tp.doubled.ratio_to_sequential)}, ${r(tp.doubled.ratio_to_in_flight)}`, '≥ 0.8', ok(tp.doubled.ratio_to_sequential.median >= 0.8 && read)],
    [scenario, `requests (connector, sequential, ${tp.in_flight} in flight; doubled) and RECORD bytes, every run`, `${requestsOf(tp)}; ${requestsOf(tp.doubled)}; bytes ${tp.same_record_bytes && tp.doubled.same_record_bytes ? 'identical' : 'DIFFER'}`, 'the same', ok(same)],
    [scenario, `peak RSS (MB), data doubled (baselines ${mb(tp.sequential_baseline.peak_rss_mb)} → ${mb(tp.doubled.sequential_baseline.peak_rss_mb)}, ${mb(tp.in_flight_baseline.peak_rss_mb)} → ${mb(tp.doubled.in_flight_baseline.peak_rss_mb)})`, `${mb(tp.connector.peak_rss_mb)} → ${mb(tp.doubled.connector.peak_rss_mb)} (growth ${ratio(tp.connector_rss_growth)})`, `≤ ${RSS_GOAL_MB}, growth ≤ ${FLAT}`, ok(Math.max(tp.connector.peak_rss_mb, tp.doubled.connector.peak_rss_mb) <= RSS_GOAL_MB && tp.connector_rss_growth <= FLAT)],
  ];
  if (tp.default_options) {
    rows.push([scenario, `default options (children embedded, ${rate(tp.default_options.records_per_second)} records/s): peak RSS (MB), data doubled`, `${mb(tp.default_options.peak_rss_mb)} → ${mb(tp.doubled.default_options!.peak_rss_mb)} (growth ${ratio(tp.default_options_rss_growth!)})`, `≤ ${RSS_GOAL_MB}, growth ≤ ${FLAT}`, ok(Math.max(tp.default_options.peak_rss_mb, tp.doubled.default_options!.peak_rss_mb) <= RSS_GOAL_MB && tp.default_options_rss_growth! <= FLAT)]);
  }
  return rows;
}

async function main() {
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`Benchmark on ${machine}${args.quick ? ' (quick)' : ''}\n`);
  if (args.only === 'big-shop') {
    const big = await bigShop();
    console.log(table([['scenario', 'figure', 'value', 'goal', 'met'], ...throughputRows('big shop, 14 streams, page 20', big)]));
    console.log(JSON.stringify(big, null, 2));
    fs.rmSync(TMP, { recursive: true, force: true });
    return;
  }
  if (args.only === 'start-up') {
    const start = await startUp(args.quick!);
    console.log(table([['scenario', 'figure', 'value', 'goal', 'met'], ...startUpRows(start, ratio, ok)]));
    console.log(JSON.stringify(start, null, 2));
    fs.rmSync(TMP, { recursive: true, force: true });
    return;
  }
  if (args.only === 'live-shop') {
    const live = await liveShop(args.quick!);
    console.log(table([['scenario', 'figure', 'value', 'goal', 'met'], ...liveShopRows(live, ratio, ok)]));
    console.log(JSON.stringify(live, null, 2));
    fs.rmSync(TMP, { recursive: true, force: true });
    return;
  }
  const rl = await rateLimited();
  console.log('1/6 rate-limited done');
  const lat = await latencyBound();
  console.log('2/6 latency-bound done');
  const tp = await throughput();
  console.log('3/6 throughput done');
  const big = await bigShop();
  console.log('4/6 big shop done');
  const live = await liveShop(args.quick!);
  console.log('5/6 live shop done');
  const start = await startUp(args.quick!);
  console.log('6/6 start-up done\n');

  const rows = [
    ['scenario', 'figure', 'value', 'goal', 'met'],
    ['rate-limited', `wall ÷ floor ((${rl.requests} − 40) ÷ ${rl.drain_per_second}/s = ${rl.floor_seconds.toFixed(1)} s)`, ratio(rl.wall_over_floor), '≤ 1.05', ok(rl.wall_over_floor <= 1.05)],
    ['rate-limited', `429s ÷ requests (${rl.throttled_429} of ${rl.requests})`, `${(rl.throttled_share * 100).toFixed(2)} %`, '≤ 1 %', ok(rl.throttled_share <= 0.01)],
    ['rate-limited', `requests ÷ minimum (${rl.requests} ÷ ${rl.minimum_requests})`, ratio(rl.requests_over_minimum), '≤ 1.01', ok(rl.requests_over_minimum <= 1.01)],
    ['latency 300 ms', `wall at default concurrency ÷ at 1 (${lat.default_concurrency_seconds.toFixed(1)} s ÷ ${lat.concurrency_1_seconds.toFixed(1)} s, ${lat.products} products)`, ratio(lat.time_ratio), '≤ 0.25', ok(lat.time_ratio <= 0.25 && lat.records_identical)],
    ['latency 300 ms', 'records identical at both concurrencies', String(lat.records_identical), 'true', ok(lat.records_identical)],
    ...throughputRows('throughput', tp),
    ...throughputRows('big shop, 14 streams, page 20', big),
    ...liveShopRows(live, ratio, ok),
    ...startUpRows(start, ratio, ok),
  ];
  console.log(table(rows));
  const results = { machine, date: new Date().toISOString(), quick: args.quick, rate_limited: rl, latency_bound: lat, throughput: tp, big_shop: big, live_shop: live, start_up: start };
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(`Wrote ${path.join('bench', 'results.json')}`);
  fs.rmSync(TMP, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
