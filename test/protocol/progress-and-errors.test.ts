/**
 * Issue 6: what a platform's UI and logs show. Stream statuses and estimates,
 * progress logs at a cadence (never per record), and TRACE errors with a
 * message for the shop owner, an internal message and the right failure type.
 */
import { startSandbox } from '../../sandbox/server';
import { catalogFor, Message, records, runConnector, traces, workDir } from '../helpers/connector';
import { protocolValidator } from '../helpers/protocol';

const ALL = [
  { name: 'countries', pk: 'id' },
  { name: 'orders', pk: 'id', cursor: 'created_at_utc' },
  { name: 'products', pk: 'id', cursor: 'updated_at_utc' },
  { name: 'products_images', pk: 'id' },
  { name: 'products_reviews', pk: 'id', cursor: 'created_at_utc' },
];

describe('progress and errors', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  const files = workDir();
  const config = (extra: object = {}) =>
    files.write(`config-${Math.random()}.json`, {
      api_key: 'demo_key',
      api_secret: 'demo_secret',
      base_url: sandbox.url,
      rate_limit_capacity: 0,
      backoff_factor: 0.01,
      ...extra,
    });

  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimitCapacity: 0 });
  });
  afterAll(async () => {
    await sandbox.close();
    files.cleanup();
  });

  describe('a successful read', () => {
    let messages: Message[];
    beforeAll(async () => {
      const run = await runConnector(['read', '--config', config(), '--catalog', files.write('all.json', catalogFor(ALL, 'incremental'))]);
      expect(run.code).toBe(0);
      messages = run.messages;
    });

    it('reports STARTED, RUNNING and COMPLETE for every selected stream, in that order', () => {
      for (const { name } of ALL) {
        const statuses = messages
          .filter((m) => m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS' && m.trace.stream_status.stream_descriptor.name === name)
          .map((m) => m.trace.stream_status.status);
        expect([name, statuses]).toEqual([name, ['STARTED', 'RUNNING', 'COMPLETE']]);
      }
    });

    it('emits a stream\'s records only between its STARTED and COMPLETE', () => {
      for (const { name } of ALL) {
        const index = (pred: (m: Message) => boolean) => messages.findIndex(pred);
        const started = index((m) => m.trace?.stream_status?.status === 'STARTED' && m.trace.stream_status.stream_descriptor.name === name);
        const complete = index((m) => m.trace?.stream_status?.status === 'COMPLETE' && m.trace.stream_status.stream_descriptor.name === name);
        const positions = messages.map((m, i) => (m.type === 'RECORD' && m.record.stream === name ? i : -1)).filter((i) => i >= 0);
        expect(positions.length).toBeGreaterThan(0);
        expect(Math.min(...positions)).toBeGreaterThan(started);
        expect(Math.max(...positions)).toBeLessThan(complete);
      }
    });

    it('estimates the rows of top-level lists from the total the API reports', () => {
      const truth = sandbox.truth();
      const estimates = Object.fromEntries(
        messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ESTIMATE').map((m) => [m.trace.estimate.name, m.trace.estimate])
      );
      for (const name of ['countries', 'orders', 'products']) {
        expect(estimates[name]).toEqual({ name, type: 'STREAM', row_estimate: truth[name as 'orders'].length });
      }
    });

    it('logs a closing summary per stream and never a line per record', () => {
      const logs = messages.filter((m) => m.type === 'LOG').map((m) => m.log.message as string);
      for (const { name } of ALL) {
        expect(logs.filter((l) => l.startsWith(`Stream '${name}' finished:`))).toHaveLength(1);
        expect(logs.find((l) => l.startsWith(`Stream '${name}' finished:`))).toMatch(/\d+ (of about \d+ )?records?( listed)?, \d+ pages?, .*\d+ requests? \(.*queued for the rate limit/);
      }
      expect(logs.length).toBeLessThan(records(messages).length / 10);
    });

    it('gives the total beside the count where the stream has an estimate ("13 of about 60 records listed")', () => {
      const logs = messages.filter((m) => m.type === 'LOG').map((m) => m.log.message as string);
      const truth = sandbox.truth();
      for (const name of ['countries', 'orders', 'products'] as const) {
        const n = truth[name as 'orders'].length;
        expect(logs.filter((l) => l.startsWith(`Stream '${name}' finished: ${n} of about ${n} records listed, `))).toHaveLength(1);
      }
    });

    it('emits only messages valid per the Airbyte protocol schema', () => {
      const validate = protocolValidator('AirbyteMessage');
      for (const m of messages) expect([m.type, validate(m) ? 'valid' : validate.errors]).toEqual([m.type, 'valid']);
    });
  });

  const failureOf = (messages: Message[]) => {
    const errors = messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    return errors[0];
  };

  it('says the credentials are wrong, as a config_error, when the API answers 401', async () => {
    const run = await runConnector(['read', '--config', config({ api_secret: 'wrong' }), '--catalog', files.write('o.json', catalogFor(ALL.slice(1, 3), 'full_refresh'))]);
    expect(run.code).toBe(1);
    const error = failureOf(run.messages);
    expect(error.failure_type).toBe('config_error');
    expect(error.message).toMatch(/rejected the credentials \(HTTP 401\).*Check api_key and api_secret/);
    expect(error.internal_message).toMatch(/GET \/v1\/(orders|products)\S* answered HTTP 401/);
    // One cause, reported once, even though both streams hit it.
    expect(traces(run, 'ERROR')).toHaveLength(1);
    expect(traces(run, 'STREAM_STATUS').filter((t) => t.stream_status.status === 'INCOMPLETE')).toHaveLength(2);
  });

  it('names the field of a bad config, as a config_error, before any request', async () => {
    sandbox.resetCounters();
    const run = await runConnector(['read', '--config', config({ page_size: 'many' }), '--catalog', files.write('o2.json', catalogFor(ALL, 'full_refresh'))]);
    expect(run.code).toBe(1);
    const error = failureOf(run.messages);
    expect(error.failure_type).toBe('config_error');
    expect(error.message).toMatch(/'page_size'/);
    expect(sandbox.counters().requests).toBe(0);
  });

  it('reports an exhausted retry as a transient_error naming stream, path and status', async () => {
    sandbox.updateSettings({ faultRate: 1, faults: ['503'] });
    try {
      const run = await runConnector(['read', '--config', config({ max_retries: 2 }), '--catalog', files.write('o3.json', catalogFor([ALL[1]], 'full_refresh'))]);
      expect(run.code).toBe(1);
      const error = failureOf(run.messages);
      expect(error.failure_type).toBe('transient_error');
      expect(error.message).toMatch(/HTTP 503 on \/v1\/orders\?archived=1&offset=0&limit=20 for stream 'orders' \(3 attempts\).*retry the sync later/);
      expect(error.stream_descriptor).toEqual({ name: 'orders' });
      expect(error.internal_message).toMatch(/answered HTTP 503/);
    } finally {
      sandbox.updateSettings({ faultRate: 0 });
    }
  });
});
