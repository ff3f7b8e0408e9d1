/**
 * Acceptance against the vendor dialect (sandbox `vendor: true`: bare arrays,
 * `count` as the page-size parameter, RFC 2822 createdAt/updatedAt/created in
 * several offsets, shipping zones without uuid). The connector adds
 * created_at_utc / updated_at_utc and a stable zone uuid, and changes nothing
 * else: the derived fields are checked against values computed here, then
 * removed, and what remains must equal the truth.
 */
import { MutateResult, Sandbox, startSandbox } from '../../sandbox/server';
import { Run, lastStates } from '../helpers/connector';
import { withProtocol } from '../helpers/protocol';
import {
  CatalogStream,
  Connector,
  Json,
  Rec,
  catTests,
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
  subCatalog,
} from '../helpers/acceptance';

jest.setTimeout(180_000);

const connector = new Connector();
afterAll(() => connector.cleanup());

const basic = catTests('basic_read')[0];
const incrementalTest = catTests('incremental')[0];
const fullCatalog = readJson(basic.configured_catalog_path);
const incrementalCatalog = readJson(incrementalTest.configured_catalog_path);

const newVendorSandbox = () => startSandbox({ port: 0, vendor: true, rateLimitCapacity: 0 });
const vendorConfig = (sb: Sandbox, configPath: string) => configFor(sb.url, { page_size_parameter: 'count' }, configPath);

/** Derived field → the vendor fields it comes from, first present wins. */
const DERIVED: Array<[string, string[]]> = [
  ['created_at_utc', ['createdAt', 'created']],
  ['updated_at_utc', ['updatedAt', 'updated']],
];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * Checks what the connector added to each record against the vendor record it
 * came from (matched by id), and returns the records with the additions removed.
 */
function checkAndStripDerived(stream: string, emitted: Rec[], truth: Rec[]): { problems: string[]; stripped: Rec[] } {
  const byId = new Map(truth.map((t) => [JSON.stringify(t.id), t]));
  const problems: string[] = [];
  const stripped = emitted.map((r) => {
    const t = byId.get(JSON.stringify(r.id));
    const copy = { ...r };
    if (!t) return copy; // reported as extra by the truth comparison
    for (const [target, sources] of DERIVED) {
      if (target in t) continue; // served by the API itself: nothing to derive
      const source = sources.find((s) => t[s] !== undefined && t[s] !== null);
      if (source) {
        const want = Date.parse(String(t[source]));
        const got = r[target];
        if (typeof got !== 'string' || !ISO_UTC.test(got) || Date.parse(got) !== want) {
          problems.push(`${stream} ${r.id}: ${target}=${JSON.stringify(got)}, expected the instant of ${source}=${JSON.stringify(t[source])} (${new Date(want).toISOString()})`);
        }
      } else if (target in r) {
        problems.push(`${stream} ${r.id}: ${target} added without a source field`);
      }
      if (!(target in t)) delete copy[target];
    }
    if (stream === 'shipping_zones' && !('uuid' in t)) {
      if (typeof r.uuid !== 'string' || !UUID.test(r.uuid)) problems.push(`${stream} ${r.id}: uuid ${JSON.stringify(r.uuid)} is not a UUID`);
      delete copy.uuid;
    }
    return copy;
  });
  return { problems, stripped };
}

/** Derived fields checked for every stream, then the stripped records compared with the truth by id. */
function expectVendorTruth(emitted: Record<string, Rec[]>, truth: Record<string, Rec[]>, streams: CatalogStream[], what?: string) {
  const problems: string[] = [];
  const stripped: Record<string, Rec[]> = {};
  for (const s of streams) {
    const result = checkAndStripDerived(s.name, emitted[s.name] ?? [], truth[s.name] ?? []);
    problems.push(...result.problems);
    stripped[s.name] = result.stripped;
  }
  expect(problems.slice(0, 10)).toEqual([]);
  expectMatchesTruth(stripped, truth, streams.map((s) => ({ name: s.name, pk: 'id' })), what);
}

describe('vendor form: basic read', () => {
  const streams = catalogStreams(fullCatalog);
  const names = streams.map((s) => s.name);
  let sandbox: Sandbox;
  let run: Run;
  let truth: Record<string, Rec[]>;

  beforeAll(async () => {
    sandbox = await newVendorSandbox();
    run = await connector.read({ config: vendorConfig(sandbox, basic.config_path), catalog: fullCatalog });
    truth = sandbox.truth();
  });
  afterAll(() => sandbox.close());

  it('the sandbox really speaks the vendor form (else this proves nothing)', () => {
    const all = Object.values(truth).flat();
    expect(all.filter((r) => 'created_at_utc' in r || 'updated_at_utc' in r)).toEqual([]);
    expect(truth.shipping_zones.filter((z) => 'uuid' in z)).toEqual([]);
    // Offsets other than +0000 are served, so a parser that ignores them would be caught.
    expect(all.some((r) => /[+-](0200|0500)$/.test(String(r.createdAt ?? r.created)))).toBe(true);
    expect(truth.orders.every((o) => typeof o.created === 'string')).toBe(true);
  });

  it('completes, exit 0, no error', () => expectSuccessfulRead(run, names));

  withProtocol('every stdout line is a valid AirbyteMessage', () => {
    expect(invalidMessages(run).slice(0, 5)).toEqual([]);
  });

  it('every record is valid against its stream schema', () => {
    expect(schemaProblems(run, streams).slice(0, 10)).toEqual([]);
  });

  it('adds created_at_utc / updated_at_utc (the instants of createdAt|created / updatedAt) and a UUID per zone, and otherwise equals the truth', () => {
    expectVendorTruth(recordsByStream(run, names), truth, streams);
  });

  it('every shipping zone has its own uuid', () => {
    const zones = recordsByStream(run, names).shipping_zones;
    expect(zones.length).toBe(truth.shipping_zones.length);
    expect(new Set(zones.map((z) => z.uuid)).size).toBe(zones.length);
  });

  it('a second sync gives every shipping zone the same uuid', async () => {
    const again = await connector.read({
      config: vendorConfig(sandbox, basic.config_path),
      catalog: subCatalog(fullCatalog, ['shipping_zones']),
    });
    expectSuccessfulRead(again, ['shipping_zones']);
    const uuids = (r: Rec[]) => Object.fromEntries(r.map((z) => [String(z.id), z.uuid]));
    const first = uuids(recordsByStream(run, names).shipping_zones);
    expect(Object.keys(first)).toHaveLength(truth.shipping_zones.length);
    expect(uuids(recordsByStream(again, ['shipping_zones']).shipping_zones)).toEqual(first);
  });
});

describe('vendor form: incremental, then touch_all, then incremental from the state', () => {
  const streams = catalogStreams(incrementalCatalog);
  const names = streams.map((s) => s.name);
  const incremental = streams.filter((s) => s.syncMode === 'incremental');
  let sandbox: Sandbox;
  let config: Rec;
  let first: Run;
  let second: Run;
  let mutation: MutateResult;

  beforeAll(async () => {
    sandbox = await newVendorSandbox();
    config = vendorConfig(sandbox, incrementalTest.config_path);
    first = await connector.read({ config, catalog: incrementalCatalog });
    mutation = sandbox.mutate({ op: 'touch_all' });
    second = await connector.read({ config, catalog: incrementalCatalog, state: lastStates(first) as Json });
  });
  afterAll(() => sandbox.close());

  it('both syncs complete, with a STATE for every incremental stream', () => {
    expectSuccessfulRead(first, names);
    expectSuccessfulRead(second, names);
    for (const run of [first, second]) {
      const finals = finalStates(run);
      const missing = incremental.filter((s) => Number.isNaN(instant(finals[s.name]?.[s.cursor!])));
      expect(missing.map((s) => s.name)).toEqual([]);
    }
  });

  it('the second sync emits every inserted and updated record, and none older than the first state', () => {
    const got = recordsByStream(second, names);
    const before = finalStates(first);
    const problems: string[] = [];
    for (const bucket of [mutation.inserted, mutation.updated]) {
      for (const [stream, ids] of Object.entries(bucket)) {
        const emitted = new Set((got[stream] ?? []).map((r) => JSON.stringify(r.id)));
        for (const id of ids ?? []) if (!emitted.has(JSON.stringify(id))) problems.push(`missing ${stream} ${id}`);
      }
    }
    for (const s of incremental) {
      const cutoff = instant(before[s.name][s.cursor!]);
      for (const r of got[s.name]) {
        if (instant(r[s.cursor!]) < cutoff) problems.push(`stale ${s.name} ${r.id}: ${s.cursor}=${r[s.cursor!]} < ${before[s.name][s.cursor!]}`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(Object.keys(mutation.inserted).length).toBeGreaterThan(0);
  });

  it('both syncs merged by primary key (uuid for zones) equal the truth', () => {
    const a = recordsByStream(first, names);
    const b = recordsByStream(second, names);
    const merged = Object.fromEntries(streams.map((s) => [s.name, mergeByKey([a[s.name], b[s.name]], s.pk)]));
    expectVendorTruth(merged, sandbox.truth(), streams, 'the merged records of both syncs');
  });
});
