/**
 * A state the connector cannot use is ignored, never silently: a warning names what was ignored,
 * and every incremental stream's log line says where it starts (saved state, start_date, or the beginning).
 */
import { records } from '../helpers/connector';
import { Resources, errorTraces, logs, read, testConfig } from '../helpers/guarantees';

jest.setTimeout(60_000);

const res = new Resources();
afterAll(() => res.closeAll());

const starts = (run: Awaited<ReturnType<typeof read>>) => logs(run, 'INFO').filter((l) => /^Stream '.*': incremental/.test(l));

describe('state the connector does not use', () => {
  it("another connector's state: one warning naming its streams, and orders starts from the beginning", async () => {
    const sb = await res.sandbox();
    const state = [{ type: 'STREAM', stream: { stream_descriptor: { name: 'issues' }, stream_state: { updated_at: '2024-05-01T00:00:00Z' } } }];
    const run = await read(testConfig(sb.url), { streams: ['orders'], mode: 'incremental', state });
    expect(errorTraces(run)).toEqual([]);
    expect(logs(run, 'WARN')).toEqual([
      expect.stringMatching(/^The state names no stream of this connector \('issues'\): is it another connector's\? It is ignored.*This connector's streams: .*'orders'/),
    ]);
    expect(starts(run)).toEqual(["Stream 'orders': incremental, from the beginning (no saved state, no start_date)."]);
    expect(records(run, 'orders')).toHaveLength((sb.truth() as Record<string, unknown[]>).orders.length);
  });

  it('an unknown stream and an unknown cursor key next to a real state: each named, the real state used', async () => {
    const sb = await res.sandbox();
    const state = { orders: { created_at_utc: '2024-06-01T00:00:00.000Z', updatedAt: '2024-06-02' }, invoices: { id: 4 } };
    const run = await read(testConfig(sb.url, { lookback_days: 0 }), { streams: ['orders'], mode: 'incremental', state });
    expect(errorTraces(run)).toEqual([]);
    expect(logs(run, 'WARN')).toEqual([
      "The state's entries for 'invoices' name no stream of this connector and are ignored.",
      "The state of stream 'orders' has 'updatedAt', which this connector does not use (the stream uses 'created_at_utc', 'changed_at_utc', 'changes_since', 'events_since_id'); ignored.",
    ]);
    expect(starts(run)).toEqual(["Stream 'orders': incremental, from the saved state, created_at_utc 2024-06-01T00:00:00.000Z."]);
  });

  it('start_date and no state: the log line says the stream starts from start_date', async () => {
    const sb = await res.sandbox();
    const run = await read(testConfig(sb.url, { start_date: '2024-03-01' }), { streams: ['orders'], mode: 'incremental' });
    expect(errorTraces(run)).toEqual([]);
    expect(logs(run, 'WARN')).toEqual([]);
    expect(starts(run)).toEqual(["Stream 'orders': incremental, from start_date 2024-03-01T00:00:00.000Z (no saved state)."]);
  });

  it('lookback_days widens a saved state: the log line gives both instants', async () => {
    const sb = await res.sandbox();
    // The events log read from after every event names no changed order: the window applies (issue 30).
    const state = { orders: { created_at_utc: '2024-06-01T00:00:00.000Z', changes_since: '2030-01-01T00:00:00.000Z' } };
    const run = await read(testConfig(sb.url, { lookback_days: 2 }), { streams: ['orders'], mode: 'incremental', state });
    expect(starts(run)).toEqual([
      "Stream 'orders': incremental, from the saved state, created_at_utc 2024-06-01T00:00:00.000Z, read from 2024-05-30T00:00:00.000Z to catch recent changes (lookback_days).",
    ]);
  });
});
