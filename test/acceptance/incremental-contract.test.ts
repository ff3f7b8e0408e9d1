/**
 * Issue 31: the incremental contract Airbyte's tools hold a stream to, on the
 * shop `npm run cat` serves (scripts/image/cat-shop.ts: its events log names
 * existing orders and customers after the newest creation time) with the
 * shipped test config (test_files/config.json: fresh data on). CAT itself is
 * run by `npm run cat`; these are its two incremental checks, spawned as bin/main:
 * - test_two_sequential_reads: every record of a read from the first read's
 *   last state has a cursor value at or after that state's;
 * - test_read_sequential_slices: each STATE's cursor value is at or before
 *   every record of its stream emitted after it;
 * and a destination deduplicating as Airbyte's do (per key the greatest cursor
 * value, ties to the later extraction) over four syncs, one whose events log
 * fails and falls back to the lookback window, ends equal to the shop.
 */
import fs from 'node:fs';
import path from 'node:path';

import { addShopActivity } from '../../scripts/image/cat-shop';
import { compareToTruth, describeDiff, truthOf } from '../../scripts/truth-check';
import type { Sandbox } from '../../sandbox/server';
import { Message, Run, lastStates, records } from '../helpers/connector';
import { Rec, Resources, instant as instantOrNone, logs, read, runWithFiles } from '../helpers/guarantees';
import { json } from '../helpers/scripted-server';

jest.setTimeout(240_000);

const res = new Resources();
afterEach(() => res.closeAll());

const ROOT = path.resolve(__dirname, '..', '..');
const shipped = JSON.parse(fs.readFileSync(path.join(ROOT, 'test_files', 'config.json'), 'utf8'));
/** The shipped test config, pointed at this test's server: nothing switched off. */
const configFor = (url: string) => ({ ...shipped, base_url: url });

/** An instant in ms; NaN for a value that is not one, so that a comparison with it fails. */
const instant = (value: unknown): number => instantOrNone(value) ?? NaN;

/** The cursor field `bin/main discover` declares per incremental stream, as CAT takes it (default_cursor_field). */
let cursors: Map<string, string>;
beforeAll(async () => {
  const run = await runWithFiles('discover', { config: configFor('http://127.0.0.1:1') });
  const catalog = run.messages.find((m: Message) => m.type === 'CATALOG')!.catalog;
  cursors = new Map(catalog.streams.filter((s: Rec) => s.default_cursor_field).map((s: Rec) => [s.name, s.default_cursor_field[0]]));
  expect(cursors.get('orders')).toBeDefined();
});
const cursorOf = (stream: string) => cursors.get(stream)!;

/** A stream's records and states in the order the read emitted them. */
type Emitted = { stream: string; record?: Rec; state?: Rec };
function emitted(run: Run): Emitted[] {
  return run.messages.flatMap((m: Message): Emitted[] => {
    if (m.type === 'RECORD') return [{ stream: m.record.stream as string, record: m.record.data as Rec }];
    if (m.type === 'STATE') return [{ stream: m.state.stream.stream_descriptor.name as string, state: m.state.stream.stream_state as Rec }];
    return [];
  });
}

/** CAT's test_two_sequential_reads: records of `second` below the state `second` started from. */
function belowStartingState(first: Run, second: Run): string[] {
  const start = new Map(lastStates(first).map((m) => [m.stream.stream_descriptor.name as string, m.stream.stream_state as Rec]));
  const problems: string[] = [];
  for (const { stream, record } of emitted(second)) {
    if (!record || !cursors.has(stream)) continue;
    // CAT reads the state's value at the cursor field: a state without it is a failure too.
    const floor = start.get(stream)?.[cursorOf(stream)];
    if (!(instant(record[cursorOf(stream)]) >= instant(floor))) {
      problems.push(`${stream} ${JSON.stringify(record.id)}: ${cursorOf(stream)} ${record[cursorOf(stream)]} < state ${floor}`);
    }
  }
  return problems;
}

/** CAT's test_read_sequential_slices: a record emitted after a STATE of its stream whose cursor value is greater. */
function belowEarlierState(run: Run): string[] {
  const floors = new Map<string, string>();
  const problems: string[] = [];
  for (const { stream, record, state } of emitted(run)) {
    if (!cursors.has(stream)) continue;
    const field = cursorOf(stream);
    if (state?.[field] !== undefined) floors.set(stream, state[field]);
    const floor = floors.get(stream);
    if (record && floor !== undefined && !(instant(record[field]) >= instant(floor))) {
      problems.push(`${stream} ${JSON.stringify(record.id)}: ${field} ${record[field]} < earlier STATE ${floor}`);
    }
  }
  return problems;
}

/** CAT's two incremental reads: the first from no state, the second from the first's last states; both must succeed. */
async function twoReads(sandbox: Sandbox): Promise<{ first: Run; second: Run }> {
  const config = configFor(sandbox.url);
  const first = await read(config, { mode: 'incremental' });
  expect(first.code).toBe(0);
  const second = await read(config, { mode: 'incremental', state: lastStates(first) });
  expect(second.code).toBe(0);
  return { first, second };
}

describe("on the shop `npm run cat` serves, with the shipped test config", () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await res.sandbox();
    addShopActivity(sandbox);
  });

  it('two sequential reads: every record of the second is at or after the state it started from, re-read changed orders and customers included', async () => {
    const { first, second } = await twoReads(sandbox);
    // The shop has activity: the second read re-emits orders and customers created before its starting position.
    const startOf = (stream: string) => instant(lastStates(first).find((m) => m.stream.stream_descriptor.name === stream)!.stream.stream_state.created_at_utc);
    for (const stream of ['orders', 'customers']) {
      const reread = records(second, stream).filter((r) => instant(r.created_at_utc) < startOf(stream));
      expect([stream, reread.length > 0]).toEqual([stream, true]);
      // created_at_utc stays in every record, as the API sent it.
      for (const r of records(second, stream)) expect(typeof r.created_at_utc).toBe('string');
    }
    expect(belowStartingState(first, second)).toEqual([]);
  });

  it('sequential slices: each STATE is at or before every later record of its stream, in a first and a later read', async () => {
    const { first, second } = await twoReads(sandbox);
    expect(records(second, 'orders').length).toBeGreaterThan(0);
    expect(belowEarlierState(first)).toEqual([]);
    expect(belowEarlierState(second)).toEqual([]);
  });

  it("a destination deduplicating by greatest cursor (ties to the later extraction) holds the shop after four syncs, one whose events log fails and falls back to the lookback window", async () => {
    const streams = ['orders', 'customers'];
    // Sync 3 goes through a proxy whose events log answers 503: the rest is the sandbox's.
    const proxy = await res.server(async (req, out) => {
      const url = req.url ?? '/';
      if (new URL(url, 'http://x').pathname === '/v1/events') return json(out, 503, { error: { message: 'events log down' } });
      const answer = await fetch(sandbox.url + url, { headers: { authorization: req.headers.authorization ?? '' } });
      const headers: Record<string, string> = { 'content-type': answer.headers.get('content-type') ?? 'application/json' };
      const date = answer.headers.get('date');
      if (date) headers.date = date;
      out.writeHead(answer.status, headers);
      out.end(await answer.text());
    });
    const config = configFor(sandbox.url);
    const orderIds = (sandbox.truth().orders as Rec[]).map((o) => o.id).sort((a, b) => a - b);
    const customerIds = (sandbox.truth().customers as Rec[]).map((c) => c.id).sort((a, b) => a - b);
    const newest = [...(sandbox.truth().orders as Rec[])].sort((a, b) => instant(b.created_at_utc) - instant(a.created_at_utc))[0].id;

    const runs: Run[] = [];
    const sync = async (url: string) => {
      const state = runs.length > 0 ? lastStates(runs[runs.length - 1]) : undefined;
      const run = await read(configFor(url), { streams, mode: 'incremental', ...(state ? { state } : {}) });
      expect(run.code).toBe(0);
      runs.push(run);
      return run;
    };
    await sync(config.base_url);
    // Changes the events log names: the newest order (in the lookback window) and old ones.
    sandbox.mutate({ op: 'update', resource: 'orders', ids: [newest, orderIds[3]] });
    sandbox.mutate({ op: 'update', resource: 'customers', ids: [customerIds[2]] });
    await sync(config.base_url);
    // Changed again; the log cannot be read in sync 3: the newest order comes from the lookback window, the old one not.
    sandbox.mutate({ op: 'update', resource: 'orders', ids: [newest, orderIds[5]] });
    sandbox.mutate({ op: 'update', resource: 'customers', ids: [customerIds[4]] });
    const third = await sync(proxy.url);
    expect(logs(third, 'WARN').some((l) => l.startsWith('The events log (/v1/events)'))).toBe(true);
    expect(records(third, 'orders').some((o) => o.id === newest)).toBe(true);
    expect(records(third, 'orders').some((o) => o.id === orderIds[5])).toBe(false);
    // Sync 4 reads the log from where sync 2 left it: the changes sync 3 missed arrive.
    const fourth = await sync(config.base_url);
    expect(records(fourth, 'orders').some((o) => o.id === orderIds[5])).toBe(true);

    const truth = truthOf(sandbox);
    for (const stream of streams) {
      const field = cursorOf(stream);
      const kept = new Map<string, Rec>();
      const backwards: string[] = [];
      for (const record of runs.flatMap((run) => records(run, stream))) {
        const held = kept.get(String(record.id));
        if (held && instant(record[field]) < instant(held[field])) backwards.push(`${record.id}: ${held[field]} then ${record[field]}`);
        if (!held || !(instant(record[field]) < instant(held[field]))) kept.set(String(record.id), record);
      }
      // A record emitted again never carries a smaller cursor value than its earlier copy.
      expect([stream, backwards]).toEqual([stream, []]);
      expect(describeDiff(stream, compareToTruth(stream, [...kept.values()], truth))).toEqual([]);
    }
  });
});
