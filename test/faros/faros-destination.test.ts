/**
 * The shipped Faros setup (faros/airbyte-local-config.json with faros/mapping.jsonata)
 * against Faros' real destination, airbyte-faros-destination as pinned in
 * scripts/faros-destination (installed on demand into .cache/, once: this is
 * why the first run is slow). bin/main reads the sandbox; its output goes to
 * `write --dry-run` as airbyte-local would pass it (test/faros/airbyte-local.ts),
 * with an empty `edition_configs` (the cloud edition asks Faros' API for its
 * schema even in a dry run). What the destination says it would write is
 * compared with what the sandbox holds, in both of the API's forms.
 */
import fs from 'node:fs';
import path from 'node:path';

import { Sandbox, startSandbox } from '../../sandbox/server';
import { ensureInstalled } from '../../scripts/faros-destination/install';
import { CLI_CONFIG_FILE, MAPPING_FILE } from '../../scripts/faros-config';
import { Connector, Json, Rec, TruthSnapshot, configFor, expectSuccessfulRead, truthOf } from '../helpers/acceptance';
import { Message, ROOT, Run, lastStates, workDir } from '../helpers/connector';
import { Sync, cliCatalog, logLines, runSync, summary, summaryCount, withPrefix } from './airbyte-local';

// The install downloads about 190 MB the first time.
jest.setTimeout(15 * 60_000);

const cliConfig = JSON.parse(fs.readFileSync(CLI_CONFIG_FILE, 'utf8'));
const SHOP = 'myshop';
const PREFIX = `${SHOP}__ecommerce__`;
const PINNED_VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'scripts', 'faros-destination', 'package.json'), 'utf8'))
  .dependencies['airbyte-faros-destination'];
const MAPPED = ['orders', 'customers', 'products', 'products_reviews', 'products_variations'];

// ---------------------------------------------------------------------------
// What the mapping should make of the sandbox's truth (docs/faros.md, "What arrives in Faros")
// ---------------------------------------------------------------------------

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const isNumber = (v: unknown): v is number => typeof v === 'number';

interface Expected {
  models: Record<string, number>;
  /** MetricValue uid → value, per definition. */
  values: Record<string, Record<string, string>>;
  /** Tag uid per (MetricValue uid), for the tags the docs list. */
  tags: Set<string>;
  /** Each order's status tag: uid → value. */
  statuses: Record<string, string>;
  addresses: Set<string>;
}

function street(a: Rec | null | undefined): string | undefined {
  return a ? text(a.addressLine1) : undefined;
}

function expectedFrom(truth: TruthSnapshot): Expected {
  const models: Record<string, number> = {};
  const add = (model: string, n = 1) => n && (models[model] = (models[model] ?? 0) + n);
  const values: Expected['values'] = {};
  const tags = new Set<string>();
  const statuses: Record<string, string> = {};
  const addresses = new Set<string>();
  const metric = (definition: string, uid: string, value: number) => {
    add('faros_MetricDefinition');
    add('faros_MetricValue');
    (values[definition] ??= {})[uid] = String(value);
  };
  const tag = (valueUid: string, tagUid: string) => {
    add('faros_Tag');
    add('faros_MetricValueTag');
    tags.add(`${valueUid} ${tagUid}`);
  };
  const address = (a: Rec | null | undefined) => {
    if (street(a)) {
      add('geo_Address');
      addresses.add(street(a) as string);
    }
  };
  const productOf = (stream: string, r: Rec) => (r.product_id ?? truth.parents[stream]?.[String(r.id)]) as number;

  for (const o of truth.streams.orders) {
    const uid = `${SHOP}__order__${o.id}`;
    const shipping = o.shippingAddress as Rec | null;
    const billing = o.billingAddress as Rec | null;
    if (isNumber(o.total)) {
      metric('ecommerce_order_total', uid, o.total);
      const status = text((o.status as Rec | null)?.name);
      if (status) {
        tag(uid, `ecommerce_order_status__${uid}`);
        statuses[`ecommerce_order_status__${uid}`] = status.toLowerCase();
      }
      // Orders carry no currency (a shop sells in one), so no currency tag is expected.
      const country = text(shipping?.country);
      if (country) tag(uid, `ecommerce_ship_to_country__${country.toUpperCase()}`);
    }
    address(shipping);
    address(billing);
  }
  for (const c of truth.streams.customers) address(c);
  for (const r of truth.streams.products_reviews) {
    if (!isNumber(r.rating)) continue;
    const uid = `${SHOP}__review__${r.id}`;
    metric('ecommerce_review_rating', uid, r.rating);
    tag(uid, `ecommerce_product__${SHOP}__${productOf('products_reviews', r)}`);
  }
  for (const p of truth.streams.products) {
    if (!isNumber(p.stock)) continue;
    const uid = `${SHOP}__product__${p.id}`;
    metric('ecommerce_product_stock', uid, p.stock);
    tag(uid, `ecommerce_product__${SHOP}__${p.id}`);
  }
  for (const v of truth.streams.products_variations) {
    if (!isNumber(v.stock)) continue;
    const uid = `${SHOP}__variation__${v.id}`;
    metric('ecommerce_variation_stock', uid, v.stock);
    tag(uid, `ecommerce_product__${SHOP}__${productOf('products_variations', v)}`);
  }
  return { models, values, tags, statuses, addresses };
}

// ---------------------------------------------------------------------------
// What the destination said
// ---------------------------------------------------------------------------

/** The converted records the dry run logs (log_records), as [model, record]. */
const converted = (sync: Sync): Array<[string, Rec]> =>
  sync.destination
    .filter((m) => m.type === 'RECORD' && m.record.stream === 'dry_run')
    .map((m) => Object.entries(m.record.data as Record<string, Rec>)[0]);

/** MetricValue uid → value per definition; a uid written twice in one sync fails the test. */
function valuesOf(sync: Sync): Record<string, Record<string, string>> {
  const values: Record<string, Record<string, string>> = {};
  for (const [model, record] of converted(sync)) {
    if (model !== 'faros_MetricValue') continue;
    const definition = (record.definition as Rec).uid as string;
    if (values[definition]?.[record.uid as string] !== undefined) throw new Error(`${record.uid} written twice in one sync`);
    (values[definition] ??= {})[record.uid as string] = record.value as string;
  }
  return values;
}

const tagLinksOf = (sync: Sync): Set<string> =>
  new Set(
    converted(sync)
      .filter(([model]) => model === 'faros_MetricValueTag')
      .map(([, r]) => `${(r.value as Rec).uid} ${(r.tag as Rec).uid}`)
  );

/** What Faros holds after these syncs: each converted record upserted by its key, each `__Deletion` applied, in order. */
interface Graph {
  /** definition → MetricValue uid → value */
  values: Record<string, Record<string, string>>;
  /** "<MetricValue uid> <Tag uid>" */
  links: Set<string>;
  /** Tag uid → value */
  tags: Record<string, string>;
}

function fold(...syncs: Sync[]): Graph {
  const graph: Graph = { values: {}, links: new Set(), tags: {} };
  for (const sync of syncs) {
    for (const [model, record] of converted(sync)) {
      const where = record.where as Rec;
      switch (model) {
        case 'faros_MetricValue':
          (graph.values[(record.definition as Rec).uid as string] ??= {})[record.uid as string] = record.value as string;
          break;
        case 'faros_MetricValueTag':
          graph.links.add(`${(record.value as Rec).uid} ${(record.tag as Rec).uid}`);
          break;
        case 'faros_Tag':
          graph.tags[record.uid as string] = record.value as string;
          break;
        case 'faros_MetricValue__Deletion':
          delete graph.values[(where.definition as Rec).uid as string]?.[where.uid as string];
          break;
        case 'faros_MetricValueTag__Deletion':
          for (const link of [...graph.links]) if (link.startsWith(`${(where.value as Rec).uid} `)) graph.links.delete(link);
          break;
        case 'faros_Tag__Deletion':
          delete graph.tags[where.uid as string];
          break;
        default:
          if (model.includes('__')) throw new Error(`the mapping wrote ${model}, which this fold does not know`);
      }
    }
  }
  return graph;
}

function describeSync(sync: Sync): string {
  return [
    `source exit ${sync.sourceExit}, destination exit ${sync.destinationExit}`,
    ...logLines(sync.destination).slice(-25),
    sync.destinationStderr.trim().split('\n').slice(-15).join('\n'),
  ].join('\n');
}

let version: string;
beforeAll(() => {
  version = ensureInstalled((line) => process.stderr.write(`${line}\n`));
});

describe.each([
  ['the documented form', false],
  ['the live vendor form', true],
])('a sync into Faros, sandbox in %s', (_form, vendor) => {
  const connector = new Connector();
  const files = workDir();
  let sandbox: Sandbox;
  let truth: TruthSnapshot;
  let expected: Expected;
  let sourceCatalog: Json;
  let sync: Sync;
  let truthAfter: TruthSnapshot;
  let resync: Sync;
  let changedOrder: Rec;
  let deletedOrder: Rec;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, rateLimitCapacity: 0, vendor });
    const config = configFor(sandbox.url, vendor ? { page_size_parameter: 'count', page_size: 100 } : {});
    const discovered: Run = await connector.discover(config);
    const catalogMessage = discovered.messages.find((m: Message) => m.type === 'CATALOG');
    if (!catalogMessage) throw new Error(`discover gave no catalog (exit ${discovered.code}):\n${discovered.stderr}`);
    sourceCatalog = cliCatalog(catalogMessage.catalog, cliConfig.src.catalog.streams);
    const destinationConfig = { ...cliConfig.dst.config, edition_configs: {} };
    truth = truthOf(sandbox);
    expected = expectedFrom(truth);
    const inputs = {
      sourceConfig: files.write('source-config.json', config),
      sourceCatalog: files.write('source-catalog.json', sourceCatalog),
      destinationConfig: files.write('destination-config.json', destinationConfig),
      destinationCatalog: files.write('destination-catalog.json', withPrefix(sourceCatalog, PREFIX)),
      prefix: PREFIX,
      dryRun: true,
      timeoutMs: 5 * 60_000,
    };
    sync = await runSync({ ...inputs, sourceState: files.write('state-1.json', {}) });
    // The shop changes (new orders, customers, a review, two products' stock; the oldest order's
    // status moves on, another order is deleted), and the next sync starts from the per-stream
    // states as the CLI's state file holds them after a real run (the destination passes every
    // STATE on then; a dry run passes only the last).
    sandbox.mutate({ op: 'touch_all' });
    [changedOrder, deletedOrder] = truth.streams.orders as Rec[];
    sandbox.mutate({ op: 'update', resource: 'orders', ids: [changedOrder.id as number] });
    sandbox.mutate({ op: 'delete', resource: 'orders', ids: [deletedOrder.id as number] });
    truthAfter = truthOf(sandbox);
    const states = lastStates({ code: 0, signal: null, stdout: '', stderr: '', messages: sync.source });
    resync = await runSync({ ...inputs, sourceState: files.write('state-2.json', states) });
  });
  afterAll(async () => {
    await sandbox?.close();
    connector.cleanup();
    files.cleanup();
  });

  it('reads the five mapped streams the shipped catalog leaves enabled, and the destination ends with exit 0', () => {
    expect(sourceCatalog.streams.map((s: Json) => s.stream.name).sort()).toEqual([...MAPPED].sort());
    expectSuccessfulRead({ code: sync.sourceExit, signal: null, stdout: '', stderr: '', messages: sync.source }, MAPPED);
    if (sync.destinationExit !== 0) throw new Error(`the destination failed:\n${describeSync(sync)}`);
    expect(version).toBe(PINNED_VERSION);
  });

  it('converts every stream with the shipped JSONata mapping (Faros has no converter of its own for them)', () => {
    const logs = logLines(sync.destination);
    for (const stream of MAPPED) {
      expect(logs).toContain(`Using JSONataConverter converter to convert ${PREFIX}${stream} stream records`);
    }
  });

  it('processes every record the sandbox holds, skips none and errors on none', () => {
    const want = Object.fromEntries(MAPPED.map((s) => [`${PREFIX}${s}`, truth.streams[s].length]));
    expect(summary(sync.destination, 'Processed records by stream: ')).toEqual(want);
    expect(summaryCount(sync.destination, 'Skipped')).toBe(0);
    expect(summaryCount(sync.destination, 'Errored')).toBe(0);
  });

  it('would write, per model, what the mapping makes of the sandbox truth', () => {
    expect(summary(sync.destination, 'Would write records by model: ')).toEqual(expected.models);
    // Every model written is one the config declares (jsonata_destination_models).
    expect(cliConfig.dst.config.jsonata_destination_models).toEqual(expect.arrayContaining(Object.keys(expected.models)));
  });

  it('gives each order, review, product and variation one metric value whose uid comes from its id and whose value is the truth', () => {
    expect(valuesOf(sync)).toEqual(expected.values);
  });

  it('tags order totals with status and ship-to country, and ratings and stock with their product', () => {
    expect(tagLinksOf(sync)).toEqual(expected.tags);
  });

  it('after the shop changes, a second sync updates values by uid and adds only new records: nothing duplicated', () => {
    if (resync.destinationExit !== 0 || resync.sourceExit !== 0) throw new Error(`the second sync failed:\n${describeSync(resync)}`);
    expect(summaryCount(resync.destination, 'Errored')).toBe(0);
    const now = expectedFrom(truthAfter);
    // What Faros holds after both syncs: the first's values, overwritten by uid with the second's.
    const graph = fold(sync, resync);
    expect(graph.values).toEqual(now.values);
    expect(graph.links).toEqual(now.tags);
    const first = valuesOf(sync);
    const second = valuesOf(resync);
    // The second sync did re-send the first's products (a full refresh stream), under the same uids.
    expect(Object.keys(second.ecommerce_product_stock ?? {})).toEqual(expect.arrayContaining(Object.keys(first.ecommerce_product_stock)));
  });

  it('after a status change and a deletion: one status per order, the current one; nothing left of the deleted order', () => {
    const graph = fold(sync, resync);
    const now = expectedFrom(truthAfter);
    const statusTags = Object.fromEntries(Object.entries(graph.tags).filter(([uid]) => uid.startsWith('ecommerce_order_status__')));
    expect(statusTags).toEqual(now.statuses);
    const changedUid = `${SHOP}__order__${changedOrder.id}`;
    const statusLinks = [...graph.links].filter((l) => l.startsWith(`${changedUid} `) && l.includes(' ecommerce_order_status__'));
    expect(statusLinks.map((l) => graph.tags[l.split(' ')[1]])).toEqual([now.statuses[`ecommerce_order_status__${changedUid}`]]);
    expect(valuesOf(sync).ecommerce_order_total[changedUid]).toBeDefined();
    expect(now.statuses[`ecommerce_order_status__${changedUid}`]).not.toBe(expectedFrom(truth).statuses[`ecommerce_order_status__${changedUid}`]);
    // The deletion record is the connector's own (the events log's order.deleted, confirmed by a 404).
    const deletions = resync.source.filter((m) => m.type === 'RECORD' && m.record.data._ab_cdc_deleted_at);
    expect(deletions.map((m) => m.type === 'RECORD' && [m.record.stream, m.record.data.id])).toEqual([['orders', deletedOrder.id]]);
    const deletedUid = `${SHOP}__order__${deletedOrder.id}`;
    expect(valuesOf(sync).ecommerce_order_total[deletedUid]).toBeDefined();
    expect(graph.values.ecommerce_order_total[deletedUid]).toBeUndefined();
    expect([...graph.links].filter((l) => l.startsWith(`${deletedUid} `))).toEqual([]);
    expect(Object.keys(graph.tags).filter((uid) => uid.endsWith(`__${deletedUid}`))).toEqual([]);
    // Counts per model after both syncs equal the shop's: one value per order left, one status tag each.
    const orders = (truthAfter.streams.orders as Rec[]).filter((o) => isNumber(o.total));
    expect(Object.keys(graph.values.ecommerce_order_total).length).toBe(orders.length);
    expect(Object.keys(statusTags).length).toBe(Object.keys(now.statuses).length);
    // The deletion reached the destination as its own deletion operations, once each.
    const byModel = summary(resync.destination, 'Would write records by model: ');
    expect([byModel.faros_MetricValue__Deletion, byModel.faros_MetricValueTag__Deletion, byModel.faros_Tag__Deletion]).toEqual([1, 1, 1]);
  });

  it("stores order and customer addresses as geo_Address keyed by the full address text", () => {
    const addresses = converted(sync).filter(([model]) => model === 'geo_Address').map(([, r]) => r);
    for (const a of addresses) expect(a.uid).toBe(a.fullAddress);
    expect(new Set(addresses.map((a) => a.street))).toEqual(expected.addresses);
  });

  it("passes the connector's last STATE through, so the next sync resumes from it", () => {
    const sourceStates = sync.source.filter((m) => m.type === 'STATE');
    const destinationStates = sync.destination.filter((m) => m.type === 'STATE');
    expect(sourceStates.length).toBeGreaterThan(0);
    expect(destinationStates[destinationStates.length - 1]).toEqual(sourceStates[sourceStates.length - 1]);
  });
});

describe('the shipped config', () => {
  it('carries faros/mapping.jsonata as its jsonata_expression (npm run faros:config copies it)', () => {
    expect(cliConfig.dst.config.jsonata_expression).toBe(fs.readFileSync(MAPPING_FILE, 'utf8'));
  });
});
