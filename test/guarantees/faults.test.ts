/**
 * Guarantees 1-3: transient faults are survived without loss, bad 200s are
 * never taken for empty pages, nothing hangs, and Retry-After / non-retriable
 * statuses are honoured. Every test spawns the real bin/main (npm run build first).
 */
import { records } from '../helpers/connector';
import { json } from '../helpers/scripted-server';
import {
  ALL,
  CLEAN,
  Resources,
  STREAM,
  diff,
  emittedTruth,
  errorTraces,
  logs,
  read,
  statesOf,
  statusesOf,
  testConfig,
} from '../helpers/guarantees';

jest.setTimeout(60_000);

const res = new Resources();
afterEach(() => res.closeAll());

/**
 * The wait actually taken before the retry: between the arrivals of the first
 * and second requests at the server. Only lower bounds are asserted on it (a
 * loaded machine only makes waits longer); the upper bound is loose.
 */
const waitedMs = (seen: Array<{ at: number }>) => seen[1].at - seen[0].at;
const TIMER_SLACK_MS = 30;

/** The planned delays of the connector's retry WARN lines: "... retry N in X s." */
function retryDelays(messages: string[]): Array<{ attempt: number; seconds: number }> {
  return messages
    .map((m) => /retry (\d+) in (-?[\d.]+) s/.exec(m))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ attempt: Number(m[1]), seconds: Number(m[2]) }));
}

describe('Guarantee 1: transient faults never lose, add or repeat a record', () => {
  it('a full sync of all 14 streams through 5xx, resets and truncated bodies equals the sandbox truth', async () => {
    const kinds = ['500', '502', '503', '504', 'reset', 'truncate'] as const;
    const sb = await res.sandbox({ faultRate: 0.25, faults: [...kinds] });
    // 0.25^11 per request: exhausting the retries is practically impossible.
    const run = await read(testConfig(sb.url, { max_retries: 10 }), { streams: ALL, mode: 'incremental' });

    expect(errorTraces(run)).toEqual([]);
    expect(run.code).toBe(0);
    const truth = emittedTruth(sb) as Record<string, any[]>;
    for (const name of ALL) {
      expect({ stream: name, ...diff(records(run, name), truth[name], STREAM[name].pk) }).toEqual({ stream: name, ...CLEAN });
      expect(statusesOf(run, name).at(-1)).toBe('COMPLETE');
    }
    const counters = sb.counters();
    for (const kind of kinds) expect({ kind, seen: (counters.byFault[kind] ?? 0) > 0 }).toEqual({ kind, seen: true });
    expect(logs(run, 'WARN').some((l) => /retry \d+ in/.test(l))).toBe(true);
  });

  it.each(['nonjson', 'nodata'] as const)(
    "a 200 with a bad body ('%s') is retried max_retries times, then fails the stream: never an empty page",
    async (kind) => {
      const sb = await res.sandbox({ faultRate: 1, faults: [kind] });
      const prior = { themes: { created_at_utc: '2024-01-01T00:00:00Z' } };
      const run = await read(testConfig(sb.url, { max_retries: 2 }), { streams: ['themes'], mode: 'incremental', state: prior });

      expect(run.signal).toBeNull();
      expect(run.code).toBe(1);
      expect(sb.counters().requests).toBe(3); // 1 + max_retries
      const errors = errorTraces(run);
      expect(errors).toHaveLength(1);
      expect(errors[0].stream_descriptor).toEqual({ name: 'themes' });
      expect(errors[0].message).toContain("'themes'");
      expect(errors[0].message).toContain('/v1/themes');
      expect(errors[0].message).toContain('HTTP 200');
      expect(errors[0].message).toMatch(kind === 'nonjson' ? /not JSON/ : /without a 'data' list/);
      expect(records(run, 'themes')).toEqual([]);
      // No STATE moves the cursor: at most the state it started from is repeated.
      for (const state of statesOf(run, 'themes')) expect(state).toEqual(prior.themes);
      expect(statusesOf(run, 'themes')).toContain('INCOMPLETE');
      expect(statusesOf(run, 'themes')).not.toContain('COMPLETE');
    }
  );
});

describe('Guarantee 2: the connector never hangs', () => {
  it('a server that accepts requests and never answers ends the run on its own, saying the API did not answer in time', async () => {
    const sb = await res.sandbox({ faultRate: 1, faults: ['hang'] });
    const run = await read(testConfig(sb.url, { request_timeout_seconds: 0.3, max_retries: 1 }), {
      streams: ['themes'],
      timeoutMs: 30_000, // watchdog: a SIGKILL from it would leave signal set
    });

    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(sb.counters().requests).toBe(2);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/did not answer \/v1\/themes\S* for stream 'themes' in time/);
    expect(errors[0].stream_descriptor).toEqual({ name: 'themes' });
  });

  it('a server that trickles its answer (a byte every 200 ms) is cut off by the whole-request deadline, retried, then fails the stream', async () => {
    const timers: NodeJS.Timeout[] = [];
    const server = await res.server((_req, r) => {
      r.writeHead(200, { 'content-type': 'application/json' });
      r.write('{"data": [');
      timers.push(setInterval(() => r.write(' '), 200)); // never idle long enough for a socket timeout
    });
    try {
      const run = await read(testConfig(server.url, { request_timeout_seconds: 1, max_retries: 1 }), {
        streams: ['themes'],
        timeoutMs: 30_000, // watchdog: a SIGKILL from it would leave signal set
      });
      expect(run.signal).toBeNull();
      expect(run.code).toBe(1);
      expect(server.seen).toHaveLength(2); // the first attempt and one retry, each cut off
      const errors = errorTraces(run);
      expect(errors).toHaveLength(1);
      expect(errors[0].failure_type).toBe('transient_error');
      expect(errors[0].message).toMatch(/did not answer \/v1\/themes\S* for stream 'themes' in time/);
      expect(statusesOf(run, 'themes').at(-1)).toBe('INCOMPLETE');
    } finally {
      timers.forEach(clearInterval);
    }
  });

  const page = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: from + i, created_at_utc: '2024-01-01T00:00:00Z' }));

  it.each([
    ['ignores offset and limit (always the same page)', (_limit: number) => page(1, 20)],
    ['ignores offset but honours limit', (limit: number) => page(1, limit)],
  ])('a server that %s fails the stream with a pagination error after at most 2 list requests', async (_name, answer) => {
    const server = await res.server((req, res) => {
      const limit = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('limit') ?? 20);
      json(res, 200, { data: answer(limit), total: 1000 });
    });
    const run = await read(testConfig(server.url), { streams: ['orders'], timeoutMs: 30_000 });

    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(server.seen.filter((r) => r.url.startsWith('/v1/orders')).length).toBeLessThanOrEqual(2);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/stream 'orders'.*(same page twice|stopped advancing|stopped instead of looping)/);
    // The server's answers are at fault, not the connector: a retry of the sync may succeed.
    expect(errors[0].failure_type).toBe('transient_error');
    expect(statusesOf(run, 'orders')).toContain('INCOMPLETE');
    // The TRACE names the stream as the catalog does, so the platform can attach it to the stream.
    expect(errors[0].stream_descriptor).toEqual({ name: 'orders' });
  });
});

describe('Guarantee 3: Retry-After and non-retriable statuses are honoured', () => {
  /**
   * Serves /v1/orders: the first answers scripted, then one page with one order. The order is not archived, so the
   * answer to archived=1 proves the server ignores the filter and the list is read once (src/read/partitions.ts).
   */
  async function scripted(answers: Array<(res: import('node:http').ServerResponse) => void>) {
    return res.server((_req, res, n) =>
      n <= answers.length ? answers[n - 1](res) : json(res, 200, { data: [{ id: 1, archived: false }], total: 1 })
    );
  }

  it('Retry-After in seconds is the wait taken before the retry (measured at the server)', async () => {
    const server = await scripted([(r) => json(r, 429, { error: 'slow down' }, { 'retry-after': '1' })]);
    const run = await read(testConfig(server.url, { backoff_factor: 0.01 }), { streams: ['orders'] });

    expect(run.code).toBe(0);
    expect(server.seen).toHaveLength(2);
    expect(waitedMs(server.seen)).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS);
    expect(waitedMs(server.seen)).toBeLessThan(20_000);
    expect(retryDelays(logs(run, 'WARN'))).toEqual([{ attempt: 1, seconds: 1 }]);
    expect(logs(run, 'WARN')[0]).toMatch(/Stream 'orders': \/v1\/orders answered HTTP 429; retry 1 in 1\.0 s/);
    expect(records(run, 'orders')).toEqual([{ id: 1, archived: false }]);
  });

  it('Retry-After as an HTTP date is the wait taken before the retry (measured at the server)', async () => {
    // One-second resolution: a date 2 s ahead means a wait of more than 1 s and at most 2 s.
    let answeredAt = 0;
    const server = await scripted([
      (r) => {
        answeredAt = Date.now();
        json(r, 503, { error: 'down' }, { 'retry-after': new Date(answeredAt + 2000).toUTCString() });
      },
    ]);
    const run = await read(testConfig(server.url, { backoff_factor: 0.01 }), { streams: ['orders'] });

    expect(run.code).toBe(0);
    expect(server.seen).toHaveLength(2);
    // The date names a whole second: the retry may not come before it.
    const notBefore = Math.floor((answeredAt + 2000) / 1000) * 1000;
    expect(server.seen[1].at).toBeGreaterThanOrEqual(notBefore - TIMER_SLACK_MS);
    expect(waitedMs(server.seen)).toBeLessThan(20_000);
    const [delay] = retryDelays(logs(run, 'WARN'));
    expect(delay.attempt).toBe(1);
    expect(delay.seconds).toBeGreaterThanOrEqual(0.9);
    expect(delay.seconds).toBeLessThanOrEqual(2.0);
  });

  it.each([
    ['0', '0'],
    ['negative', '-5'],
    ['a past HTTP date', 'Wed, 21 Oct 2015 07:28:00 GMT'],
    ['unparseable', 'soon'],
    ['missing', undefined],
  ])('Retry-After %s falls back to exponential backoff, and that wait is taken (measured at the server)', async (_name, header) => {
    const headers: Record<string, string> = header === undefined ? {} : { 'retry-after': header };
    const server = await scripted([(r) => json(r, 503, { error: 'down' }, headers)]);
    // factor 0.5: attempt 1 waits 0.5 s plus up to 20 % jitter, i.e. logged as 0.5 or 0.6.
    const run = await read(testConfig(server.url, { backoff_factor: 0.5 }), { streams: ['orders'] });

    expect(run.code).toBe(0);
    expect(server.seen).toHaveLength(2);
    expect(waitedMs(server.seen)).toBeGreaterThanOrEqual(500 - TIMER_SLACK_MS);
    expect(waitedMs(server.seen)).toBeLessThan(20_000);
    const [delay] = retryDelays(logs(run, 'WARN'));
    expect(delay.attempt).toBe(1);
    expect(delay.seconds).toBeGreaterThanOrEqual(0.5);
    expect(delay.seconds).toBeLessThanOrEqual(0.6);
  });

  it.each([429, 503])('HTTP %i with Retry-After beyond max_retry_wait_seconds fails at once, naming stream and status', async (status) => {
    const server = await res.server((_req, r) => json(r, status, { error: 'later' }, { 'retry-after': '3600' }));
    const run = await read(testConfig(server.url, { max_retry_wait_seconds: 60, max_retries: 5 }), {
      streams: ['orders'],
      timeoutMs: 30_000,
    });

    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(server.seen).toHaveLength(1);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].stream_descriptor).toEqual({ name: 'orders' });
    expect(errors[0].message).toContain("stream 'orders'");
    expect(errors[0].message).toContain(`HTTP ${status}`);
    expect(errors[0].message).toMatch(/3600 s.*max_retry_wait_seconds/);
  });

  it.each([400, 401, 403, 404, 422])('HTTP %i is tried exactly once', async (status) => {
    const server = await res.server((_req, r) => json(r, status, { error: { message: 'no' } }));
    const run = await read(testConfig(server.url, { max_retries: 5 }), { streams: ['orders'] });

    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(server.seen).toHaveLength(1);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain(`HTTP ${status}`);
    expect(logs(run, 'WARN').filter((l) => /retry/.test(l))).toEqual([]);
  });
});
