/**
 * Cancellation: a platform stops a sync with SIGTERM (docker stop, Airbyte,
 * Kubernetes). The connector flushes what it has emitted, says why it stops,
 * adds no STATE, and exits at once with 128 + 15; a sync resumed from the last
 * STATE it printed loses nothing.
 */
import { ChildProcess } from 'node:child_process';

import { Message, lastStates, records } from '../helpers/connector';
import { ALL, Resources, read, testConfig } from '../helpers/guarantees';
import { compareToTruth, describeDiff, truthOf } from '../../scripts/truth-check';

jest.setTimeout(60_000);

const res = new Resources();
afterEach(() => res.closeAll());

const sigtermAfter = (recordsSeen: number) => {
  let seen = 0;
  return (m: Message, child: ChildProcess) => {
    if (m.type === 'RECORD' && ++seen === recordsSeen) child.kill('SIGTERM');
  };
};

describe('SIGTERM mid-sync', () => {
  it('flushes the records emitted, logs the cancellation, adds no STATE after it, and exits with 143', async () => {
    // Slow answers: the sync is surely still running when the signal comes.
    const sandbox = await res.sandbox({ latencyMs: 50 });
    const run = await read(testConfig(sandbox.url), { mode: 'incremental', onMessage: sigtermAfter(30) });

    expect(run.signal).toBeNull(); // handled, not killed by the default action
    expect(run.code).toBe(143);
    const warnAt = run.messages.findIndex((m) => m.type === 'LOG' && /SIGTERM/.test(m.log.message));
    expect(warnAt).toBeGreaterThan(0);
    expect(run.messages.slice(warnAt).filter((m) => m.type === 'STATE')).toEqual([]);
    // Every record flushed before the notice is whole and is the shop's record.
    const truth = truthOf(sandbox);
    const emitted = records(run);
    expect(emitted.length).toBeGreaterThanOrEqual(30);
    for (const stream of ALL) {
      const diff = compareToTruth(stream, records(run, stream), truth);
      expect({ stream, extra: diff.extra, changed: diff.changed, duplicates: diff.duplicates }).toEqual({
        stream,
        extra: [],
        changed: [],
        duplicates: [],
      });
    }
    // Stopped streams never claim completion.
    const completed = run.messages.filter((m) => m.type === 'TRACE' && m.trace.stream_status?.status === 'COMPLETE');
    expect(completed.length).toBeLessThan(ALL.length);
  });

  it('a sync resumed from the last STATE of a cancelled one brings every record', async () => {
    const sandbox = await res.sandbox({ latencyMs: 20 });
    const config = testConfig(sandbox.url);
    const first = await read(config, { mode: 'incremental', onMessage: sigtermAfter(600) });
    expect(first.code).toBe(143);
    const second = await read(config, { mode: 'incremental', state: lastStates(first) });
    expect(second.code).toBe(0);
    const truth = truthOf(sandbox);
    const problems = ALL.flatMap((s) =>
      describeDiff(s, compareToTruth(s, [...records(first, s), ...records(second, s)], truth, { merge: true }))
    );
    expect(problems).toEqual([]);
  });
});
