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
 *    Speed ratios of 3 and 4 are taken within alternating pairs of runs, memory
 *    growth within rounds at both shop sizes (1 of each with --quick); each is
 *    given as a median with its interval.
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
import { BASELINE, connector, MAIN, measure, Measured, median, TMP } from './measure';
import { profileTop, ProfileTop } from './profile';
import { markdownTable, profileMarkdown, writeSections } from './report';
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

/**
 * The connector and the sequential baseline run in pairs, alternating which goes first, until the
 * median ratio's 95 % interval lies within ±PRECISION of it, or MAX_PAIRS or the scenario's seconds are spent:
 * one run is one sample on a shared machine, and a drift in its load hits both programs of a pair.
 * The interval narrows about as 1/√pairs: on this 2-core machine one big-shop pair's ratio varies by
 * ±15–25 % (quiet and loaded, 2026-12), so ±0.05 takes a few dozen pairs; the cap bounds the wait and the
 * table says whether the interval got there.
 */
const PRECISION = 0.05;
const MIN_PAIRS = args.quick ? 1 : 6; // the fewest whose min–max already holds the median with ≥ 95 %
const MAX_PAIRS = args.quick ? 1 : 40;

/** The connector's default concurrency (max_concurrency): the second baseline keeps as many requests in flight. */
const IN_FLIGHT: number = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'resources', 'spec.json'), 'utf8')).connectionSpecification
  .properties.max_concurrency.default;

/** The runs of one program, with the requests the sandbox counted for each. */
interface Program {
  runs: Measured[];
  requests: number[];
}

/** Median of per-pair figures, a distribution-free interval of that median, its coverage, and the extremes. */
export interface Interval {
  median: number;
  low: number;
  high: number;
  /** Probability that the interval holds the true median (order statistics, binomial). */
  coverage: number;
  min: number;
  max: number;
  n: number;
  /** Every pair's figure, in the order the pairs ran. */
  values: number[];
}

function binomialCdf(k: number, n: number): number {
  let sum = 0;
  let c = 1; // C(n, 0)
  for (let i = 0; i <= k; i++) {
    sum += c;
    c = (c * (n - i)) / (i + 1);
  }
  return sum / 2 ** n;
}

function interval(values: number[]): Interval {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  // The narrowest [x(k), x(n−k+1)] still covering the median with ≥ 95 %; min–max when n is too small for that.
  let k = 1;
  while (k + 1 <= n / 2 && 1 - 2 * binomialCdf(k, n) >= 0.95) k++;
  return {
    median: median(sorted),
    low: sorted[k - 1],
    high: sorted[n - k],
    coverage: n > 1 ? 1 - 2 * binomialCdf(k - 1, n) : 0,
    min: sorted[0],
    max: sorted[n - 1],
    n,
    values,
  };
}

/** The interval holds the median with ≥ 95 % and lies within ±PRECISION of it. */
const resolved = (r: Interval) => r.coverage >= 0.95 && r.low >= r.median - PRECISION && r.high <= r.median + PRECISION;

const rate = (m: Measured) => m.records / m.seconds;
const cpuMsPerRequest = (m: Measured, requests: number) => (m.cpuSeconds * 1000) / requests;

/**
 * The sandbox's largest page: its default 100, or one more than the page size asked. After a list's first
 * page the connector asks for one record more than the page size (the overlap record that shows whether
 * the list moved, src/read/pagination.ts); at page size 100 a cap of 100 would make each later page bring
 * 99 new records and cost the connector 1 % more requests than the baselines, so the throughput scenario
 * would not compare the same requests (the live-shop scenario, which counts requests, keeps the default).
 */
const pageCapFor = (pageSize: number) => Math.max(100, pageSize + 1);

/**
 * A sandbox for the throughput scenarios. Its customers and orders lists ignore `trade` and `archived`:
 * the connector asks for one side first (src/read/partitions.ts ListFilter), finds the answer holds
 * both and reads no other, so it makes the plain lists' requests, as the baselines do. Where the
 * sandbox honours them it filters the whole list in JavaScript on every request (a real server has an
 * index): the side lists cost the sequential baseline 2.5 s more wall time for the same CPU on the
 * page-100 shop (4.4–4.9 s → 7.0–7.2 s), which the connector's 8 requests in flight hide.
 */
async function throughputSandbox(scale: number, pageSize: number) {
  const sandbox = await startSandbox({ rateLimitCapacity: 0, scale, pageCap: pageCapFor(pageSize) });
  sandbox.updateSettings({ tradeFilter: 'ignored', archivedFilter: 'ignored' });
  return sandbox;
}

/** The programs a throughput scenario compares, reading the sandbox at `url`. */
function programsFor(url: string, pageSize: number, streams: typeof STREAMS) {
  const names = streams.map((s) => s.name);
  const base = { base_url: url, rate_limit_capacity: 0, page_size: pageSize };
  const targets = streams.map((s) => `${s.name}=${s.path}`);
  return {
    // The baselines read every product's child lists; so does the connector here (embedding saves
    // requests, which scenario 5 counts; this one compares the cost of the same requests).
    ours: connector({ ...base, use_embedded_children: false }, names),
    sequential: [BASELINE, url, String(pageSize), '1', ...targets],
    inFlight: [BASELINE, url, String(pageSize), String(IN_FLIGHT), ...targets],
    // What a user runs: default options, so children come embedded in the products list where it can.
    defaults: connector(base, names),
  };
}

/**
 * Peak RSS as the shop doubles. A process's peak is the highest of many garbage-collection cycles, so
 * one run's varies by a few MB (2026-12: 84.9–86.9 MB for three identical runs); one run at each size
 * cannot tell a growth of 1.05 from noise. So rounds: each runs a program on the shop and on the shop
 * twice as big (which first alternates), both sandboxes up at once; the growth is taken within a round,
 * and its median is given with the same interval as the speed ratios.
 */
async function memoryRounds(scale: number, pageSize: number, streams: typeof STREAMS, withDefaults: boolean) {
  const small = await throughputSandbox(scale, pageSize);
  const doubled = await throughputSandbox(scale * 2, pageSize);
  try {
    const at = [programsFor(small.url, pageSize, streams), programsFor(doubled.url, pageSize, streams)];
    const expected = [small, doubled].map((sandbox) => {
      const truth = sandbox.truth();
      return streams.reduce((n, s) => n + truth[s.name as keyof typeof truth].length, 0);
    });
    const names = ['ours', 'sequential', ...(withDefaults ? ['defaults' as const] : [])] as const;
    const peaks = Object.fromEntries(names.map((p) => [p, [[], []] as [number[], number[]]]));
    // A run that stopped early peaks low: every run must have read every record and exited 0.
    let allRead = true;
    for (let round = 0; round < MEMORY_ROUNDS; round++) {
      for (const p of names) {
        for (const size of round % 2 ? [1, 0] : [0, 1]) {
          const run = await measure(at[size][p]);
          allRead &&= run.code === 0 && run.records === expected[size];
          peaks[p][size].push(run.peakRssMb);
        }
      }
    }
    const figures = ([atScale, atDouble]: [number[], number[]]) => ({
      peak_rss_mb: median(atScale),
      doubled_peak_rss_mb: median(atDouble),
      highest_peak_rss_mb: Math.max(...atScale, ...atDouble),
      growth: interval(atDouble.map((mb, i) => mb / atScale[i])),
    });
    return {
      rounds: MEMORY_ROUNDS,
      all_records_read: allRead,
      connector: figures(peaks.ours),
      sequential_baseline: figures(peaks.sequential),
      ...(withDefaults && { default_options: figures(peaks.defaults) }),
    };
  } finally {
    await small.close();
    await doubled.close();
  }
}

/** 6 rounds: the fewest whose min–max holds the median growth with ≥ 95 %. */
const MEMORY_ROUNDS = args.quick ? 1 : 6;

/**
 * One shop size: `pairs` alternating pairs (connector, sequential baseline), or one run of each,
 * then one run of the 8-in-flight baseline and, with `withDefaults`, of the connector with default options.
 * With `profile`, one more connector run under `--cpu-prof`, reduced to its top entries.
 */
async function throughputAt(scale: number, pageSize: number, streams: typeof STREAMS, o: { pairs: boolean; pairSeconds?: number; withDefaults: boolean; profile?: boolean }) {
  const sandbox = await throughputSandbox(scale, pageSize);
  try {
    const truth = sandbox.truth();
    const expected = streams.reduce((n, s) => n + truth[s.name as keyof typeof truth].length, 0);
    const programs = programsFor(sandbox.url, pageSize, streams);
    const results = { ours: { runs: [], requests: [] }, sequential: { runs: [], requests: [] }, inFlight: { runs: [], requests: [] }, defaults: { runs: [], requests: [] } } as Record<keyof typeof programs, Program>;
    const run = async (p: keyof typeof programs) => {
      sandbox.resetCounters();
      results[p].runs.push(await measure(programs[p]));
      results[p].requests.push(sandbox.counters().requests);
    };
    const ratios = () => results.ours.runs.map((m, i) => rate(m) / rate(results.sequential.runs[i]));
    const started = Date.now();
    for (let i = 0; ; i++) {
      for (const p of i % 2 ? (['sequential', 'ours'] as const) : (['ours', 'sequential'] as const)) await run(p);
      if (!o.pairs) break;
      const precise = resolved(interval(ratios()));
      if (i + 1 >= MAX_PAIRS || (i + 1 >= MIN_PAIRS && (precise || Date.now() - started > (o.pairSeconds ?? 0) * 1000))) break;
    }
    await run('inFlight');
    if (o.withDefaults) await run('defaults');
    let profile: ProfileTop | undefined;
    if (o.profile) {
      const dir = fs.mkdtempSync(path.join(TMP, 'profile-'));
      // Node takes --cpu-prof on its command line only: bin/main run by node itself, with its #! line's options.
      const shebang = /^#!.*?\bnode\b(.*)$/m.exec(fs.readFileSync(MAIN, 'utf8'))![1].trim().split(/\s+/).filter(Boolean);
      await measure(['--cpu-prof', `--cpu-prof-dir=${dir}`, ...shebang, ...programs.ours]);
      profile = profileTop(path.join(dir, fs.readdirSync(dir)[0]), path.resolve(__dirname, '..'));
    }
    const figures = (p: Program) => ({
      records_per_second: median(p.runs.map(rate)),
      seconds: median(p.runs.map((m) => m.seconds)),
      cpu_seconds: median(p.runs.map((m) => m.cpuSeconds)),
      cpu_ms_per_request: median(p.runs.map((m, i) => cpuMsPerRequest(m, p.requests[i]))),
      peak_rss_mb: median(p.runs.map((m) => m.peakRssMb)),
      requests: p.requests,
      record_bytes: p.runs.map((m) => m.recordBytes),
    });
    const compared = [results.ours, results.sequential, results.inFlight];
    const all = [...compared, results.defaults].flatMap((p) => p.runs);
    const { ours, sequential } = results;
    return {
      expected,
      pairs: ours.runs.length,
      connector: figures(ours),
      sequential_baseline: figures(sequential),
      in_flight_baseline: figures(results.inFlight),
      default_options: o.withDefaults ? figures(results.defaults) : undefined,
      ratio_to_sequential: interval(ratios()),
      // Each pair's difference of CPU per request: the connector's cost above the least a reader must do.
      cpu_ms_per_request_over_sequential: interval(ours.runs.map((m, i) => cpuMsPerRequest(m, ours.requests[i]) - cpuMsPerRequest(sequential.runs[i], sequential.requests[i]))),
      cpu_ratio_to_sequential: interval(ours.runs.map((m, i) => m.cpuSeconds / sequential.runs[i].cpuSeconds)),
      ratio_to_in_flight: median(ours.runs.map(rate)) / rate(results.inFlight.runs[0]),
      profile,
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
  return throughputPair(args.quick ? 20 : 140, 100, THROUGHPUT_STREAMS, { withDefaults: false, pairSeconds: 45 });
}

/**
 * All 14 streams at the default page size, as a user syncs: about 5 records per
 * request, so per-request and per-slice costs count as much as per-record ones.
 * Scale 27 is the smallest shop of this seed with ≥ 40,000 records.
 */
function bigShop() {
  return throughputPair(args.quick ? 3 : 27, 20, STREAMS, { withDefaults: true, pairSeconds: 300, profile: true });
}

/** Pairs at `scale`; one run of each program at twice the data (a ratio, reported); memory rounds at both sizes. */
async function throughputPair(scale: number, pageSize: number, streams: typeof STREAMS, o: { withDefaults: boolean; pairSeconds: number; profile?: boolean }) {
  const { withDefaults } = o;
  const small = await throughputAt(scale, pageSize, streams, { ...o, pairs: true });
  const doubled = await throughputAt(scale * 2, pageSize, streams, { pairs: false, withDefaults });
  const { expected, ...smallFigures } = small;
  const { expected: expectedDoubled, profile: _none, ...doubledFigures } = doubled;
  return {
    in_flight: IN_FLIGHT,
    records: expected,
    records_doubled: expectedDoubled,
    ...smallFigures,
    doubled: doubledFigures,
    memory: await memoryRounds(scale, pageSize, streams, withDefaults),
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

/** A ratio with its interval: `0.934 (0.912–0.951, 96 % over 9 pairs)`. */
function withInterval(r: Interval, digits = 3, over = 'pairs'): string {
  const f = (x: number) => x.toFixed(digits);
  return r.n < 2 ? f(r.median) : `${f(r.median)} (${f(r.low)}–${f(r.high)}, ${Math.round(r.coverage * 100)} % over ${r.n} ${over})`;
}

/** Goals of scenarios 3 and 4: records/s ÷ the sequential baseline's (median), and CPU per request above it. */
const GOALS = { throughput: { ratio: 0.8 }, big: { ratio: 0.9, cpuMsPerRequest: 0.15 } };

function throughputRows(scenario: string, tp: Awaited<ReturnType<typeof throughputPair>>, goal: { ratio: number; cpuMsPerRequest?: number }): string[][] {
  const same = tp.same_requests && tp.same_record_bytes && tp.doubled.same_requests && tp.doubled.same_record_bytes;
  const read = tp.all_records_read && tp.doubled.all_records_read;
  const rate = (x: number) => Math.round(x).toLocaleString('en');
  const ms = (x: number) => x.toFixed(3);
  const c = tp.connector;
  const b = tp.sequential_baseline;
  const cpu = tp.cpu_ms_per_request_over_sequential;
  const rows: string[][] = [
    [scenario, `records/s ÷ sequential baseline's, alternating pairs (${rate(c.records_per_second)} ÷ ${rate(b.records_per_second)}, ${tp.records} records, ${c.requests[0]} requests; wall ${c.seconds.toFixed(1)} s ÷ ${b.seconds.toFixed(1)} s)`, `${withInterval(tp.ratio_to_sequential)}; ${resolved(tp.ratio_to_sequential) ? `within ±${PRECISION}` : `NOT within ±${PRECISION}`}`, `≥ ${goal.ratio}`, ok(tp.ratio_to_sequential.median >= goal.ratio && read)],
    [scenario, `CPU (user + sys) per request, connector − sequential baseline (${ms(c.cpu_ms_per_request)} − ${ms(b.cpu_ms_per_request)} ms; CPU ${c.cpu_seconds.toFixed(2)} s ÷ ${b.cpu_seconds.toFixed(2)} s = ${withInterval(tp.cpu_ratio_to_sequential, 2)})`, `${withInterval(cpu)} ms`, goal.cpuMsPerRequest === undefined ? '(reported)' : `≤ ${goal.cpuMsPerRequest} ms`, goal.cpuMsPerRequest === undefined ? '' : ok(cpu.median <= goal.cpuMsPerRequest)],
    [scenario, `records/s ÷ ${tp.in_flight}-in-flight baseline's (÷ ${rate(tp.in_flight_baseline.records_per_second)}; its CPU ${ms(tp.in_flight_baseline.cpu_ms_per_request)} ms per request)`, ratio(tp.ratio_to_in_flight), '(reported)', ''],
    [scenario, `same, data doubled (${tp.records_doubled} records, one run each): ÷ sequential, ÷ ${tp.in_flight} in flight; CPU per request ${ms(tp.doubled.connector.cpu_ms_per_request)} vs ${ms(tp.doubled.sequential_baseline.cpu_ms_per_request)} ms`, `${ratio(tp.doubled.ratio_to_sequential.median)}, ${ratio(tp.doubled.ratio_to_in_flight)}`, '(reported)', ''],
    [scenario, `requests (connector, sequential, ${tp.in_flight} in flight; doubled) and RECORD bytes, every run`, `${requestsOf(tp)}; ${requestsOf(tp.doubled)}; bytes ${tp.same_record_bytes && tp.doubled.same_record_bytes ? 'identical' : 'DIFFER'}`, 'the same', ok(same)],
    memoryRow(scenario, 'peak RSS (MB)', tp.memory.connector, tp.memory),
  ];
  if (tp.default_options) {
    rows.push(memoryRow(scenario, `default options (children embedded, ${rate(tp.default_options.records_per_second)} records/s): peak RSS (MB)`, tp.memory.default_options!, tp.memory));
  }
  return rows;
}

type MemoryFigures = Awaited<ReturnType<typeof memoryRounds>>['connector'];

/** Flat: the whole interval of the median growth at or under FLAT, so a lucky round cannot pass it. */
function memoryRow(scenario: string, what: string, m: MemoryFigures, all: Awaited<ReturnType<typeof memoryRounds>>): string[] {
  const mb = (x: number) => x.toFixed(0);
  const b = all.sequential_baseline;
  return [
    scenario,
    `${what}, medians at the shop and at twice it, growth within each of ${all.rounds} alternating rounds (sequential baseline ${mb(b.peak_rss_mb)} → ${mb(b.doubled_peak_rss_mb)}, growth ${withInterval(b.growth, 3, 'rounds')}); highest peak ${mb(m.highest_peak_rss_mb)}`,
    `${mb(m.peak_rss_mb)} → ${mb(m.doubled_peak_rss_mb)}, growth ${withInterval(m.growth, 3, 'rounds')}`,
    `≤ ${RSS_GOAL_MB}, growth ≤ ${FLAT}`,
    ok(all.all_records_read && m.highest_peak_rss_mb <= RSS_GOAL_MB && m.growth.high <= FLAT),
  ];
}

const ONLY = ['big-shop', 'live-shop', 'start-up'];

async function main() {
  if (args.only !== undefined && !ONLY.includes(args.only)) {
    // Anything else ran the whole bench and rewrote docs/performance.md.
    console.error(`--only takes one of ${ONLY.join(', ')}; got '${args.only}'.`);
    process.exit(2);
  }
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`Benchmark on ${machine}${args.quick ? ' (quick)' : ''}\n`);
  if (args.only === 'big-shop') {
    const big = await bigShop();
    console.log(table([['scenario', 'figure', 'value', 'goal', 'met'], ...throughputRows('big shop, 14 streams, page 20', big, GOALS.big)]));
    console.log(JSON.stringify(big, null, 2));
    if (big.profile) console.log(profileMarkdown(big.profile));
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
  const began = Date.now();
  const load = os.loadavg()[0].toFixed(1);
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
    ...throughputRows('throughput', tp, GOALS.throughput),
    ...throughputRows('big shop, 14 streams, page 20', big, GOALS.big),
    ...liveShopRows(live, ratio, ok),
    ...startUpRows(start, ratio, ok),
  ];
  console.log(table(rows));
  const minutes = (Date.now() - began) / 60_000;
  if (!args.quick) {
    writeSections({
      figures: `Latest run: ${new Date().toISOString().slice(0, 10)}, ${minutes.toFixed(1)} minutes, on ${machine}; load average (1 min) ${load} at the start, ${os.loadavg()[0].toFixed(1)} at the end (other work on the machine slows the program that needs more CPU most).\n\n${markdownTable(rows)}`,
      profile: big.profile ? profileMarkdown(big.profile) : '(no profile in this run)',
    });
    console.log(`Wrote ${path.join('docs', 'performance.md')}`);
  }
  const results = { machine, date: new Date().toISOString(), quick: args.quick, rate_limited: rl, latency_bound: lat, throughput: tp, big_shop: big, live_shop: live, start_up: start };
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(`Wrote ${path.join('bench', 'results.json')}`);
  fs.rmSync(TMP, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
