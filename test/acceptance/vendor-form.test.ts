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
import {
  CatalogStream,
  Connector,
  Json,
  Rec,
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
  subCatalog,
  TruthSnapshot,
  truthOf,
} from '../helpers/acceptance';

jest.setTimeout(180_000);

const connector = new Connector();
afterAll(() => connector.cleanup());

const basic = catTests('basic_read')[0];
const incrementalTest = catTests('incremental')[0];
const fullCatalog = readJson(catalogPathOf(basic));
const incrementalCatalog = readJson(incrementalTest.configured_catalog_path);

const newVendorSandbox = () => startSandbox({ port: 0, vendor: true, rateLimitCapacity: 0 });
const vendorConfig = (sb: Sandbox, configPath: string) => configFor(sb.url, { page_size_parameter: 'count' }, configPath);

/** The vendor form against the one comparison (scripts/truth-check.ts), keyed as the vendor keys (zones by id). */
function expectVendorTruth(emitted: Record<string, Rec[]>, truth: TruthSnapshot, streams: CatalogStream[], what?: string) {
  expect(truth.vendor).toBe(true);
  expectMatchesTruth(emitted, truth, streams, what);
}

const CHILDREN = ['products_images', 'products_reviews', 'product_options', 'products_variations'];

describe('vendor form: basic read', () => {
  const streams = catalogStreams(fullCatalog);
  const names = streams.map((s) => s.name);
  let sandbox: Sandbox;
  let run: Run;
  let snapshot: TruthSnapshot;
  let truth: Record<string, Rec[]>;

  beforeAll(async () => {
    sandbox = await newVendorSandbox();
    run = await connector.read({ config: vendorConfig(sandbox, basic.config_path), catalog: fullCatalog });
    snapshot = truthOf(sandbox);
    truth = snapshot.streams;
  });
  afterAll(() => sandbox.close());

  it('the sandbox really speaks the vendor form (else this proves nothing)', () => {
    const all = Object.values(truth).flat();
    expect(all.filter((r) => 'created_at_utc' in r || 'updated_at_utc' in r)).toEqual([]);
    expect(truth.shipping_zones.filter((z) => 'uuid' in z)).toEqual([]);
    // Offsets other than +0000 are served, so a parser that ignores them would be caught.
    expect(all.some((r) => /[+-](0200|0500)$/.test(String(r.createdAt ?? r.created)))).toBe(true);
    expect(truth.orders.every((o) => typeof o.created === 'string')).toBe(true);
    // The documented shapes: no product id on children, an order's status is an object and its reference a number.
    for (const child of CHILDREN) expect(truth[child].filter((r) => 'product_id' in r).length).toBe(0);
    expect(truth.orders.every((o) => typeof o.reference === 'number' && typeof (o.status as Rec)?.type === 'string')).toBe(true);
    expect(truth.customers.every((c) => 'firstName' in c && !('first_name' in c))).toBe(true);
  });

  it('every child record carries product_id: the product the sandbox files it under, with the JSON type of the product id', () => {
    const emitted = recordsByStream(run, names);
    const problems: string[] = [];
    for (const child of CHILDREN) {
      expect(emitted[child].length).toBe(truth[child].length);
      for (const r of emitted[child]) {
        const parent = snapshot.parents[child][String(r.id)];
        if (r.product_id !== parent || typeof r.product_id !== typeof truth.products[0].id) {
          problems.push(`${child} ${r.id}: product_id ${JSON.stringify(r.product_id)}, sandbox parent ${parent}`);
        }
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('completes, exit 0, no error', () => expectSuccessfulRead(run, names));

  it('every stdout line is a valid AirbyteMessage', () => {
    expect(invalidMessages(run).slice(0, 5)).toEqual([]);
  });

  it('every record is valid against its stream schema', () => {
    expect(schemaProblems(run, streams).slice(0, 10)).toEqual([]);
  });

  it('adds product_id to children, created_at_utc / updated_at_utc (the instants of createdAt|created / updatedAt) and a UUID per zone, and otherwise equals the truth', () => {
    expectVendorTruth(recordsByStream(run, names), snapshot, streams);
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
    expectVendorTruth(merged, truthOf(sandbox), streams, 'the merged records of both syncs');
  });
});
