/**
 * Acceptance: basic_read, full_refresh and incremental as acceptance-test-config.yml
 * declares them, judged against the sandbox's ground truth (truth()) rather than
 * against a recording of earlier connector output.
 */
import { MutateResult, Sandbox, startSandbox } from '../../sandbox/server';
import { STREAM_ROW } from '../../scripts/streams';
import { Run, lastStates } from '../helpers/connector';
import {
  CatalogStream,
  Connector,
  Json,
  Rec,
  canonical,
  catTests,
  catalogPathOf,
  catalogStreams,
  configFor,
  expectMatchesTruth,
  expectSuccessfulRead,
  finalStates,
  instant,
  invalidMessages,
  mergeByKey,
  readJson,
  recordsByStream,
  schemaProblems,
  stateSequence,
  truthOf,
} from '../helpers/acceptance';

jest.setTimeout(180_000);

const connector = new Connector();
afterAll(() => connector.cleanup());

const newSandbox = () => startSandbox({ port: 0, rateLimitCapacity: 0 });

const expectValidMessages = (run: Run) => expect(invalidMessages(run).slice(0, 5)).toEqual([]);
const expectRecordsMatchSchemas = (run: Run, streams: CatalogStream[]) =>
  expect(schemaProblems(run, streams).slice(0, 10)).toEqual([]);

describe.each(catTests('basic_read').map((t, i) => [i, t] as const))('basic_read #%i', (_i, test: Json) => {
  const catalog = readJson(catalogPathOf(test));
  const streams = catalogStreams(catalog);
  const names = streams.map((s) => s.name);
  let sandbox: Sandbox;
  let config: Rec;
  let run: Run;

  beforeAll(async () => {
    sandbox = await newSandbox();
    config = configFor(sandbox.url, {}, test.config_path);
    run = await connector.read({ config, catalog });
  });
  afterAll(() => sandbox.close());

  it(`reads every stream of ${catalogPathOf(test)} to COMPLETE, exit 0, no error`, () => {
    expectSuccessfulRead(run, names);
  });

  it('every stdout line is a valid AirbyteMessage', () => expectValidMessages(run));

  it('every record is valid against its stream schema', () => expectRecordsMatchSchemas(run, streams));

  it('emits records of the selected streams only, each with an emitted_at', () => {
    const strays = run.messages
      .filter((m) => m.type === 'RECORD' && (!names.includes(m.record.stream) || !Number.isInteger(m.record.emitted_at)))
      .map((m) => m.record.stream);
    expect(strays).toEqual([]);
  });

  it('no stream is empty except the declared empty_streams', () => {
    const empty = (test.empty_streams ?? []).map((e: Json) => (typeof e === 'string' ? e : e.name));
    const got = recordsByStream(run, names);
    expect(names.filter((n) => got[n].length === 0 && !empty.includes(n))).toEqual([]);
  });

  it("every stream's records equal the API's truth by primary key and content", () => {
    expectMatchesTruth(recordsByStream(run, names), truthOf(sandbox), streams);
  });

  it('every child record carries product_id: the product the sandbox files it under', () => {
    const got = recordsByStream(run, names);
    const parents = sandbox.parents();
    const children = names.filter((n) => STREAM_ROW[n].parent);
    expect(children.length).toBeGreaterThan(0);
    const wrong: string[] = [];
    for (const name of children) {
      expect(got[name].length).toBeGreaterThan(0);
      for (const r of got[name]) {
        if (r.product_id !== parents[name][String(r.id)]) wrong.push(`${name} ${r.id}: ${r.product_id} vs ${parents[name][String(r.id)]}`);
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('costs no more requests than offset paging needs (no repeated or wasted pages)', () => {
    const pageSize = Number(config.page_size ?? 20);
    const truth = sandbox.truth() as Record<string, Rec[]>;
    const pages = (n: number) => Math.ceil(n / pageSize) + 1; // one spare request per list to find its end
    const byResource = sandbox.counters().byResource as Record<string, number>;
    const over: string[] = [];
    for (const name of names) {
      let budget: number;
      if (name === 'countries') budget = 1; // served whole, never paged
      else if (STREAM_ROW[name].parent) {
        // Per-product lists: one list per product, however many children it has.
        const parentOf = sandbox.parents()[name];
        const perProduct = new Map<unknown, number>(truth.products.map((p) => [p.id, 0]));
        for (const child of truth[name]) perProduct.set(parentOf[String(child.id)], (perProduct.get(parentOf[String(child.id)]) ?? 0) + 1);
        budget = [...perProduct.values()].reduce((sum, n) => sum + pages(n), 0);
      } else budget = pages(truth[name].length);
      if ((byResource[name] ?? 0) > budget) over.push(`${name}: ${byResource[name]} requests, paging needs at most ${budget}`);
    }
    expect(over).toEqual([]);
  });

  it('the API secret never appears in the output', () => {
    expect(run.stdout.includes(String(config.api_secret))).toBe(false);
    expect(run.stderr.includes(String(config.api_secret))).toBe(false);
  });
});

describe.each(catTests('full_refresh').map((t, i) => [i, t] as const))('full_refresh #%i', (_i, test: Json) => {
  const catalog = readJson(catalogPathOf(test));
  const streams = catalogStreams(catalog);
  const names = streams.map((s) => s.name);
  let sandbox: Sandbox;
  const runs: Run[] = [];

  beforeAll(async () => {
    sandbox = await newSandbox();
    const config = configFor(sandbox.url, {}, test.config_path);
    runs.push(await connector.read({ config, catalog }));
    runs.push(await connector.read({ config, catalog }));
  });
  afterAll(() => sandbox.close());

  it('both reads complete', () => runs.forEach((run) => expectSuccessfulRead(run, names)));

  it('two sequential reads emit the same records (ignoring emitted_at and order)', () => {
    const [first, second] = runs.map((run) => recordsByStream(run, names));
    const differing = names.filter((n) => {
      const a = first[n].map(canonical).sort();
      const b = second[n].map(canonical).sort();
      return a.length !== b.length || a.some((x, i) => x !== b[i]);
    });
    expect(differing).toEqual([]);
    // ... and both are the whole truth, not the same partial answer twice.
    expectMatchesTruth(second, truthOf(sandbox), streams, 'the records of the second read');
  });
});

describe.each(catTests('incremental').map((t, i) => [i, t] as const))('incremental #%i', (_i, test: Json) => {
  const catalog = readJson(catalogPathOf(test));
  const streams = catalogStreams(catalog);
  const names = streams.map((s) => s.name);
  const incremental = streams.filter((s) => s.syncMode === 'incremental');
  let sandbox: Sandbox;
  let config: Rec;
  let first: Run;
  let firstStarted: number;
  let firstEnded: number;

  beforeAll(async () => {
    sandbox = await newSandbox();
    config = configFor(sandbox.url, {}, test.config_path);
    firstStarted = Date.now();
    first = await connector.read({ config, catalog });
    firstEnded = Date.now();
  });
  afterAll(() => sandbox.close());

  it('the catalog reads some streams incrementally, each with a cursor', () => {
    expect(incremental.length).toBeGreaterThan(0);
    expect(incremental.filter((s) => !s.cursor)).toEqual([]);
  });

  it('a first sync without state completes and emits the whole truth', () => {
    expectSuccessfulRead(first, names);
    expectMatchesTruth(recordsByStream(first, names), truthOf(sandbox), streams);
  });

  it('every stdout line is a valid AirbyteMessage', () => expectValidMessages(first));

  it('emits a STATE for every incremental stream, at the highest cursor emitted (capped at the server clock)', () => {
    const finals = finalStates(first);
    const emitted = recordsByStream(first, names);
    const problems: string[] = [];
    for (const s of incremental) {
      const state = finals[s.name];
      if (!state) {
        problems.push(`${s.name}: no STATE message`);
        continue;
      }
      const highest = Math.max(...emitted[s.name].map((r) => instant(r[s.cursor!])).filter((t) => !Number.isNaN(t)));
      const expected = highest <= firstStarted ? highest : undefined;
      const got = instant(state[s.cursor!]);
      if (expected !== undefined ? got !== expected : !(got <= firstEnded)) {
        problems.push(
          `${s.name}: state ${JSON.stringify(state)}, highest ${s.cursor} emitted ${new Date(highest).toISOString()}`
        );
      }
    }
    expect(problems).toEqual([]);
  });

  it("every STATE carries its own stream's state alone (no legacy data with every stream's)", () => {
    const states = first.messages.filter((m) => m.type === 'STATE');
    for (const s of incremental) expect([s.name, states.some((m) => m.state.stream.stream_descriptor.name === s.name)]).toEqual([s.name, true]);
    for (const m of states) expect([m.state.stream.stream_descriptor.name, Object.keys(m.state).sort()]).toEqual([m.state.stream.stream_descriptor.name, ['stream', 'type']]);
  });

  describe('after the shop changes (touch_all), a second sync from the first sync\'s state', () => {
    let mutation: MutateResult;
    let state: Json;
    let second: Run;

    beforeAll(async () => {
      mutation = sandbox.mutate({ op: 'touch_all' });
      state = lastStates(first);
      second = await connector.read({ config, catalog, state });
    });

    it('the mutation touched incremental streams (else this proves nothing)', () => {
      const touched = [...Object.keys(mutation.inserted), ...Object.keys(mutation.updated)];
      expect(incremental.filter((s) => touched.includes(s.name)).length).toBeGreaterThan(0);
    });

    it('completes', () => expectSuccessfulRead(second, names));

    it('emits every inserted and updated record', () => {
      const got = recordsByStream(second, names);
      const missing: string[] = [];
      for (const bucket of [mutation.inserted, mutation.updated]) {
        for (const [stream, keys] of Object.entries(bucket)) {
          const s = streams.find((x) => x.name === stream);
          if (!s) continue;
          const emitted = new Set(got[stream].map((r) => JSON.stringify(r[s.pk])));
          for (const k of keys ?? []) if (!emitted.has(JSON.stringify(k))) missing.push(`${stream} ${JSON.stringify(k)}`);
        }
      }
      expect(missing).toEqual([]);
    });

    it("emits no record older than the first sync's state cursor", () => {
      const before = finalStates(first);
      const got = recordsByStream(second, names);
      const stale: string[] = [];
      for (const s of incremental) {
        const cutoff = instant(before[s.name]?.[s.cursor!]);
        expect([s.name, Number.isNaN(cutoff)]).toEqual([s.name, false]);
        for (const r of got[s.name]) {
          if (instant(r[s.cursor!]) < cutoff) stale.push(`${s.name} ${JSON.stringify(r[s.pk])} ${s.cursor}=${r[s.cursor!]} < ${before[s.name][s.cursor!]}`);
        }
      }
      expect(stale.slice(0, 10)).toEqual([]);
      // Client-side filtering actually filtered: fewer records than a full read for some stream.
      const truth = sandbox.truth() as Record<string, Rec[]>;
      expect(incremental.filter((s) => got[s.name].length < truth[s.name].length).length).toBeGreaterThan(0);
    });

    it('both syncs merged by primary key (append_dedup) equal the truth', () => {
      const a = recordsByStream(first, names);
      const b = recordsByStream(second, names);
      const merged = Object.fromEntries(streams.map((s) => [s.name, mergeByKey([a[s.name], b[s.name]], s.pk)]));
      expectMatchesTruth(merged, truthOf(sandbox), streams, 'the merged records of both syncs');
      // mergeByKey hides duplicates; each sync alone must not emit any.
      for (const run of [a, b]) {
        for (const s of streams) {
          const keys = run[s.name].map((r) => JSON.stringify(r[s.pk]));
          expect([s.name, keys.length - new Set(keys).size]).toEqual([s.name, 0]);
        }
      }
    });

    it('state never moves backwards, and moves forward to the new records', () => {
      const before = finalStates(first);
      const sequence = stateSequence(second);
      const got = recordsByStream(second, names);
      const problems: string[] = [];
      for (const s of incremental) {
        const floor = instant(before[s.name][s.cursor!]);
        const states = sequence[s.name] ?? [];
        if (states.length === 0) problems.push(`${s.name}: no STATE`);
        let previous = floor;
        for (const st of states) {
          const at = instant(st[s.cursor!]);
          if (!(at >= previous)) problems.push(`${s.name}: state ${JSON.stringify(st)} after ${new Date(previous).toISOString()}`);
          previous = at;
        }
        const highest = Math.max(floor, ...got[s.name].map((r) => instant(r[s.cursor!])).filter((t) => !Number.isNaN(t)));
        if (states.length && instant(states[states.length - 1][s.cursor!]) !== highest) {
          problems.push(`${s.name}: final state ${JSON.stringify(states[states.length - 1])}, highest cursor ${new Date(highest).toISOString()}`);
        }
      }
      expect(problems).toEqual([]);
    });
  });

  describe(`from a far-future state (${test.future_state?.future_state_path})`, () => {
    const future: Json[] = test.future_state ? readJson(test.future_state.future_state_path) : [];
    const futureOf = (name: string) => future.find((m) => m.stream?.stream_descriptor?.name === name)?.stream?.stream_state;
    let run: Run;

    beforeAll(async () => {
      run = await connector.read({ config, catalog, state: future });
    });

    it('the abnormal state covers every incremental stream with a future cursor', () => {
      const missing = incremental.filter((s) => !(instant(futureOf(s.name)?.[s.cursor!]) > Date.now()));
      expect(missing.map((s) => s.name)).toEqual([]);
    });

    it('completes', () => expectSuccessfulRead(run, names));

    it('emits no record of the incremental streams', () => {
      const got = recordsByStream(run, names);
      expect(incremental.map((s) => [s.name, got[s.name].length])).toEqual(incremental.map((s) => [s.name, 0]));
    });

    it('the state stays at least at the future value (never moves backwards)', () => {
      const sequence = stateSequence(run);
      const problems: string[] = [];
      for (const s of incremental) {
        const floor = instant(futureOf(s.name)[s.cursor!]);
        const states = sequence[s.name] ?? [];
        if (states.length === 0) problems.push(`${s.name}: no STATE`);
        for (const st of states) if (!(instant(st[s.cursor!]) >= floor)) problems.push(`${s.name}: ${JSON.stringify(st)}`);
      }
      expect(problems).toEqual([]);
    });
  });
});
