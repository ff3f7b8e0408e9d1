/**
 * Issue 6: state in every form the protocol allows. The state one run emits,
 * fed back as Airbyte's per-stream list, as a GLOBAL state, as the legacy
 * object older Faros tooling persisted, or as every STATE line it printed,
 * gives the same second run.
 */
import { startSandbox } from '../../sandbox/server';
import { catalogFor, lastStates, records, Run, runConnector, workDir } from '../helpers/connector';

const STREAMS = [
  { name: 'orders', pk: 'id', cursor: 'created_at_utc' },
  { name: 'products', pk: 'id', cursor: 'updated_at_utc' },
  { name: 'products_reviews', pk: 'id', cursor: 'created_at_utc' },
  { name: 'countries', pk: 'id' },
];

describe('state round trip', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  const files = workDir();
  let config: string;
  let catalog: string;
  let first: Run;

  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimitCapacity: 0 });
    config = files.write('config.json', { api_key: 'demo_key', api_secret: 'demo_secret', base_url: sandbox.url, rate_limit_capacity: 0 });
    catalog = files.write('catalog.json', catalogFor(STREAMS, 'incremental'));
    first = await runConnector(['read', '--config', config, '--catalog', catalog]);
    expect(first.code).toBe(0);
    sandbox.mutate({ op: 'touch_all' });
  });
  afterAll(async () => {
    await sandbox.close();
    files.cleanup();
  });

  const secondRun = async (state: unknown) => {
    const run = await runConnector(['read', '--config', config, '--catalog', catalog, '--state', files.write(`state-${Math.random()}.json`, state)]);
    expect(run.code).toBe(0);
    return run;
  };
  const summary = (run: Run) => ({
    records: Object.fromEntries(STREAMS.map((s) => [s.name, records(run, s.name).map((r) => r.id).sort()])),
    // By stream: the order streams finish in is not part of the state.
    states: lastStates(run).sort((x, y) => x.stream.stream_descriptor.name.localeCompare(y.stream.stream_descriptor.name)),
  });

  it("emits per-stream STATE messages, each carrying its own stream's state alone", () => {
    const states = first.messages.filter((m) => m.type === 'STATE');
    expect(states.length).toBeGreaterThanOrEqual(3);
    for (const m of states) {
      expect(m.state.type).toBe('STREAM');
      expect(Object.keys(m.state).sort()).toEqual(['stream', 'type']);
      expect(Object.keys(m.state.stream).sort()).toEqual(['stream_descriptor', 'stream_state']);
    }
    // Every stream ends with a STATE, the full refresh one (countries) too, as the protocol asks.
    expect(lastStates(first).map((s) => s.stream.stream_descriptor.name).sort()).toEqual(['countries', 'orders', 'products', 'products_reviews']);
    expect(lastStates(first).find((s) => s.stream.stream_descriptor.name === 'countries')!.stream.stream_state).toEqual({});
  });

  it("gives the same second run from the per-stream list, the global form, the legacy object and every STATE line the first read printed", async () => {
    const perStream = lastStates(first);
    const global = [{ type: 'GLOBAL', global: { shared_state: {}, stream_states: perStream.map((s) => s.stream) } }];
    const legacy = Object.fromEntries(perStream.map((s) => [s.stream.stream_descriptor.name, s.stream.stream_state]));
    // As a person running it by hand keeps them (grep '^{"type":"STATE"'), one stream's state per line (a cut
    // read's many checkpoints per stream: test/guarantees/resumable-full-refresh.test.ts).
    const lines = first.messages.filter((m) => m.type === 'STATE').map((m) => JSON.stringify(m)).join('\n') + '\n';
    const [a, b, c, d] = [await secondRun(perStream), await secondRun(global), await secondRun(legacy), await secondRun(lines)];
    expect(summary(b)).toEqual(summary(a));
    expect(summary(c)).toEqual(summary(a));
    expect(summary(d)).toEqual(summary(a));
    // And the state did its job: the second run is incremental, not a full re-read.
    expect(records(a, 'orders').length).toBeLessThan(records(first, 'orders').length);
    expect(records(a, 'orders').length).toBeGreaterThan(0);
  });
});
