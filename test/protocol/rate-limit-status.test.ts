/**
 * Issue 22 point 2: while the rate limit holds a stream's requests back for 5 s or more, the
 * platform hears STREAM_STATUS RUNNING with reason RATE_LIMITED — from the connector's own
 * pacing (a tight rate_limit_per_second) and from the API's 429 with Retry-After (quota_reset).
 * bin/main against the sandbox.
 */
import { Message, Run, records } from '../helpers/connector';
import { Resources, errorTraces, read, testConfig } from '../helpers/guarantees';
import { protocolValidator } from '../helpers/protocol';

jest.setTimeout(90_000);

const res = new Resources();
afterAll(() => res.closeAll());

const statuses = (run: Run) =>
  run.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS').map((m) => m.trace);
const rateLimited = (run: Run) => statuses(run).filter((t) => t.stream_status.reasons);

/** The stream's statuses in order, a RATE_LIMITED one as 'RATE_LIMITED'. */
const sequence = (run: Run, stream: string) =>
  statuses(run)
    .filter((t) => t.stream_status.stream_descriptor.name === stream)
    .map((t) => (t.stream_status.reasons ? t.stream_status.reasons.map((r: any) => r.type).join() : t.stream_status.status));

function expectValid(run: Run) {
  const validate = protocolValidator('AirbyteMessage');
  const invalid = run.messages.filter((m: Message) => !validate(m));
  expect(invalid).toEqual([]);
}

describe("the connector's own pacing holds a request for more than 5 s", () => {
  let run: Run;
  let truth: Record<string, unknown[]>;
  beforeAll(async () => {
    const sb = await res.sandbox();
    truth = sb.truth() as Record<string, unknown[]>;
    // A bucket of one request, refilled every 6.7 s: of the two streams' single requests, one waits.
    run = await read(testConfig(sb.url, { rate_limit_capacity: 2, rate_limit_per_second: 0.15, page_size: 100 }), {
      streams: ['countries', 'themes'],
    });
  });

  it('reports the waiting stream as RUNNING, RATE_LIMITED, between its start and its end, once, without a quota reset', () => {
    expect(run.code).toBe(0);
    expect(errorTraces(run)).toEqual([]);
    const limited = rateLimited(run);
    expect(limited).toHaveLength(1);
    const { stream_status } = limited[0];
    expect(stream_status.status).toBe('RUNNING');
    expect(stream_status.reasons).toEqual([{ type: 'RATE_LIMITED' }]);
    const stream = stream_status.stream_descriptor.name;
    expect(sequence(run, stream)).toEqual(['STARTED', 'RATE_LIMITED', 'RUNNING', 'COMPLETE']);
    const other = stream === 'countries' ? 'themes' : 'countries';
    expect(sequence(run, other)).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });

  it('loses nothing', () => {
    for (const stream of ['countries', 'themes']) expect(records(run, stream)).toHaveLength(truth[stream].length);
  });

  it('every message, the RATE_LIMITED status included, is valid per the Airbyte protocol schema', () => expectValid(run));
});

describe("the API's 429 asks for a wait of more than 5 s", () => {
  let run: Run;
  beforeAll(async () => {
    // No client-side pacing; the sandbox admits one request, then answers 429 with Retry-After: 7.
    const sb = await res.sandbox({ rateLimitCapacity: 1, rateLimitPerSecond: 0.15 });
    run = await read(testConfig(sb.url, { page_size: 100 }), { streams: ['countries', 'themes'] });
  });

  it('reports the throttled stream as RATE_LIMITED with quota_reset when Retry-After says, in epoch ms', () => {
    expect(run.code).toBe(0);
    const limited = rateLimited(run);
    expect(limited).toHaveLength(1);
    const reason = limited[0].stream_status.reasons[0];
    expect(reason.type).toBe('RATE_LIMITED');
    // quota_reset = the moment of the 429 + Retry-After (7 s); emitted_at is stamped just after.
    const ahead = reason.rate_limited.quota_reset - limited[0].emitted_at;
    expect(ahead).toBeLessThanOrEqual(7_000);
    expect(ahead).toBeGreaterThan(6_000);
    const stream = limited[0].stream_status.stream_descriptor.name;
    expect(sequence(run, stream)).toEqual(['STARTED', 'RATE_LIMITED', 'RUNNING', 'COMPLETE']);
  });

  it('every message is valid per the Airbyte protocol schema', () => expectValid(run));
});
