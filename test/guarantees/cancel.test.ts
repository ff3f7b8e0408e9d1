/**
 * Cancellation: a platform stops a sync with SIGTERM (docker stop, Airbyte,
 * Kubernetes). The connector flushes what it has emitted, says why it stops,
 * adds no STATE, and exits at once with 128 + 15; a sync resumed from the last
 * STATE it printed loses nothing.
 */
import { ChildProcess } from 'node:child_process';

import { Message, lastStates, records } from '../helpers/connector';
import { ALL, Resources, read, testConfig } from '../helpers/guarantees';
import { json } from '../helpers/scripted-server';
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
  it('stops mid-sync: logs the cancellation, adds no STATE after it, every record printed is whole and the shop\'s, exits with 143', async () => {
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

  it('records the connector had emitted but not yet written (a batch after the last flush) are printed whole after the signal', async () => {
    // Page 1 ends in the RUNNING status, which flushes; page 2's records stay in the
    // output's batch (no message follows them); page 3 never answers, and its request,
    // sent only once page 2 was emitted (pages are read one after another), is the moment to cancel.
    const shop = Array.from({ length: 100 }, (_, i) => ({ id: i + 1, name: `Theme ${i + 1}`, created_at_utc: '2024-01-01T00:00:00Z' }));
    const served: Array<(typeof shop)[number]> = [];
    let child: ChildProcess | undefined;
    const server = await res.server((req, r, n) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (n > 2) {
        child!.kill('SIGTERM');
        return; // never answered
      }
      const offset = Number(url.searchParams.get('offset'));
      const page = shop.slice(offset, offset + Number(url.searchParams.get('limit')));
      served.push(...page.filter((t) => !served.includes(t)));
      json(r, 200, { data: page, total: shop.length });
    });
    const run = await read(testConfig(server.url), { streams: ['themes'], onMessage: (_m, c) => (child = c) });

    expect(server.seen).toHaveLength(3);
    expect(served.length).toBeGreaterThan(20);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(143);
    expect(records(run, 'themes')).toEqual(served); // page 2 too: flushed by the cancel, not lost
    expect(run.stdout.endsWith('\n')).toBe(true); // every line whole (runConnector parsed each as JSON)
    const types = run.messages.map((m) => (m.type === 'LOG' && /SIGTERM/.test(m.log.message) ? 'CANCEL' : m.type));
    expect(types.lastIndexOf('RECORD')).toBeLessThan(types.indexOf('CANCEL'));
    expect(types).not.toContain('STATE');
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
