/**
 * Guarantee 4: resume without loss. A sync of all 14 streams is SIGKILLed at
 * points chosen here; a second sync starts from the last STATE of each stream
 * the first one printed (after the shop changed in between), and the two
 * syncs together hold every record of the incremental streams, in its latest
 * version. And on an uninterrupted sync, no STATE line ever covers a record
 * that was not emitted before it.
 */
import { ChildProcess } from 'node:child_process';

import { Message, Run, lastStates, records } from '../helpers/connector';
import {
  ALL,
  CURSOR_STREAMS,
  Rec,
  Resources,
  STREAM,
  diff,
  emittedTruth,
  errorTraces,
  instant,
  read,
  statusesOf,
  testConfig,
} from '../helpers/guarantees';

jest.setTimeout(60_000);

const res = new Resources();
afterEach(() => res.closeAll());

/** Decides, message by message, when to SIGKILL the first sync. */
type KillPoint = () => (m: Message) => boolean;

const KILL_POINTS: Array<[string, KillPoint]> = [
  [
    'after the 1st STATE message',
    () => {
      let states = 0;
      return (m) => m.type === 'STATE' && ++states === 1;
    },
  ],
  [
    'after 40 records of the child stream products_reviews',
    () => {
      let n = 0;
      return (m) => m.type === 'RECORD' && m.record.stream === 'products_reviews' && ++n === 40;
    },
  ],
  [
    'right after the products stream completed',
    () => (m) =>
      m.type === 'TRACE' &&
      m.trace.type === 'STREAM_STATUS' &&
      m.trace.stream_status.stream_descriptor.name === 'products' &&
      m.trace.stream_status.status === 'COMPLETE',
  ],
  [
    'after the 4th STATE message',
    () => {
      let states = 0;
      return (m) => m.type === 'STATE' && ++states === 4;
    },
  ],
];

describe('Guarantee 4: resume without loss', () => {
  it.each(KILL_POINTS)('killed %s, then resumed from its last states: every record of the cursor streams arrives', async (_name, point) => {
    // A little latency spreads the sync over time, so that the kill lands mid-sync.
    const sb = await res.sandbox({ latencyMs: 3 });
    const config = testConfig(sb.url, { max_concurrency: 4 });
    const due = point();
    let killed = false;
    const first = await read(config, {
      streams: ALL,
      mode: 'incremental',
      onMessage: (m: Message, child: ChildProcess) => {
        if (!killed && due(m)) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    expect(first.signal).toBe('SIGKILL');
    // The kill really cut the sync short: some stream never completed.
    expect(ALL.filter((s) => !statusesOf(first, s).includes('COMPLETE')).length).toBeGreaterThan(0);

    // The shop changes between the two syncs: new records in every top-level
    // incremental stream and in products_reviews, two products updated.
    sb.mutate({ op: 'touch_all' });

    const states = lastStates(first);
    const second = await read(config, { streams: ALL, mode: 'incremental', state: states.length ? states : undefined });
    expect(errorTraces(second)).toEqual([]);
    expect(second.code).toBe(0);

    const truth = emittedTruth(sb);
    for (const name of CURSOR_STREAMS) {
      const both = [...records(first, name), ...records(second, name)];
      const { missing, extra, changed } = diff(both, truth[name], STREAM[name].pk);
      expect({ stream: name, missing, extra, changed }).toEqual({ stream: name, missing: [], extra: [], changed: [] });
    }
  });

  /**
   * For every STATE line of `run`, every truth record of that stream whose
   * cursor is at or after `from` (the state the run started from) and before
   * the STATE's cursor must have been emitted on an earlier line.
   */
  function statesNeverRunAhead(run: Run, truth: Record<string, Rec[]>, from: Record<string, number | undefined>) {
    const problems: string[] = [];
    const emitted = new Map<string, Set<unknown>>(CURSOR_STREAMS.map((s) => [s, new Set()]));
    let checked = 0;
    for (const m of run.messages) {
      if (m.type === 'RECORD' && emitted.has(m.record.stream)) {
        emitted.get(m.record.stream)!.add(m.record.data[STREAM[m.record.stream].pk]);
      }
      if (m.type !== 'STATE') continue;
      const name: string = m.state.stream.stream_descriptor.name;
      const { cursor, pk } = STREAM[name];
      const at = instant(m.state.stream.stream_state[cursor!]);
      if (at === undefined) continue;
      checked++;
      for (const r of truth[name]) {
        const t = instant(r[cursor!]);
        if (t === undefined || t >= at || (from[name] !== undefined && t < from[name]!)) continue;
        if (!emitted.get(name)!.has(r[pk])) {
          problems.push(`${name}: STATE ${m.state.stream.stream_state[cursor!]} covers ${pk} ${r[pk]} (${r[cursor!]}), not emitted before it`);
        }
      }
    }
    return { problems, checked };
  }

  it('on an uninterrupted sync, no STATE covers a record not yet emitted (child stream products_reviews included)', async () => {
    const sb = await res.sandbox({ latencyMs: 1 });
    const config = testConfig(sb.url, { max_concurrency: 4 });

    const fresh = await read(config, { streams: ALL, mode: 'incremental' });
    expect(fresh.code).toBe(0);
    const before = statesNeverRunAhead(fresh, emittedTruth(sb), {});
    expect(before.problems).toEqual([]);
    expect(before.checked).toBeGreaterThanOrEqual(CURSOR_STREAMS.length);
    expect(fresh.messages.some((m) => m.type === 'STATE' && m.state.stream.stream_descriptor.name === 'products_reviews')).toBe(true);

    // And the next sync, from those states, after the shop changed.
    sb.mutate({ op: 'touch_all' });
    const states = lastStates(fresh);
    const from = Object.fromEntries(
      states.map((s) => {
        const name = s.stream.stream_descriptor.name;
        return [name, instant(s.stream.stream_state[STREAM[name].cursor!])];
      })
    );
    const next = await read(config, { streams: ALL, mode: 'incremental', state: states });
    expect(next.code).toBe(0);
    const after = statesNeverRunAhead(next, emittedTruth(sb), from);
    expect(after.problems).toEqual([]);
    expect(after.checked).toBeGreaterThanOrEqual(CURSOR_STREAMS.length);
  });
});
