/**
 * Issue 11: a live sync in fewer requests. Embedded children, server-side order
 * filters and counts are used by default in both dialects; each is checked
 * against the sandbox with the behaviour on (the fast path: fewer requests,
 * every record) and off or broken (the fallback: every record all the same).
 */
import { Run, lastStates, records, traces } from '../helpers/connector';
import { read } from '../helpers/acceptance';
import { ALL, Resources, logs, testConfig } from '../helpers/guarantees';
import { compareToTruth, describeDiff, truthOf } from '../../scripts/truth-check';
import type { Sandbox, Settings } from '../../sandbox/server';

jest.setTimeout(90_000);

const res = new Resources();
afterEach(() => res.closeAll());

/**
 * The rule docs/guarantees.md (read path) documents: an embedded array is whole when shorter than the longest
 * of its name the run has seen; the products holding the longest are read from their own lists, a handful.
 */
const HANDFUL = 5;

const DIALECTS = [
  { name: 'documented', vendor: false, extra: {} },
  { name: 'vendor', vendor: true, extra: { page_size_parameter: 'count' } },
] as const;

function problems(run: Run | Run[], sandbox: Sandbox, streams: readonly string[] = ALL): string[] {
  const runs = Array.isArray(run) ? run : [run];
  const truth = truthOf(sandbox);
  return streams.flatMap((s) =>
    describeDiff(s, compareToTruth(s, runs.flatMap((r) => records(r, s)), truth, { merge: runs.length > 1 }))
  );
}

const estimates = (run: Run) =>
  Object.fromEntries(traces(run, 'ESTIMATE').map((t) => [t.estimate.name, t.estimate.row_estimate]));

describe.each(DIALECTS)('$name dialect', ({ vendor, extra }) => {
  const sandboxOf = async (settings: Partial<Settings> = {}) => {
    const sandbox = await res.sandbox({ vendor });
    sandbox.updateSettings(settings);
    return sandbox;
  };

  it('embedded images and variations: every record, and at most a handful of requests to the products\' own image and variation lists', async () => {
    const on = await sandboxOf();
    const run = await read(testConfig(on.url, extra));
    expect(run.code).toBe(0);
    expect(problems(run, on)).toEqual([]);
    // The same read without embedding: a request (or more) per product.
    const off = await sandboxOf();
    const runOff = await read(testConfig(off.url, { ...extra, use_embedded_children: false }));
    expect(runOff.code).toBe(0);
    expect(problems(runOff, off)).toEqual([]);
    const products = truthOf(on).streams.products.length;
    for (const stream of ['products_images', 'products_variations'] as const) {
      const withEmbed = on.counters().byResource[stream] ?? 0;
      const without = off.counters().byResource[stream] ?? 0;
      expect({ stream, withEmbed, withinAHandful: withEmbed <= HANDFUL }).toEqual({ stream, withEmbed, withinAHandful: true });
      expect(without).toBeGreaterThanOrEqual(products);
    }
    // Not embeddable: read per product either way; and the products list is read once for all three streams.
    expect(on.counters().byResource.products_reviews).toBe(off.counters().byResource.products_reviews);
    expect(on.counters().byResource.products).toBe(off.counters().byResource.products);
  });

  it('embedded children selected without products: the list is read once and serves them', async () => {
    const sandbox = await sandboxOf();
    const run = await read(testConfig(sandbox.url, extra), { streams: ['products_images', 'products_variations'] });
    expect(run.code).toBe(0);
    expect(problems(run, sandbox, ['products_images', 'products_variations'])).toEqual([]);
    expect(records(run, 'products')).toEqual([]);
  });

  it.each([
    ['the server ignores embed', { embed: false }],
    ['the server cuts embedded arrays at 10', { embedCap: 10 }],
    ['the server cuts embedded arrays at 20', { embedCap: 20 }],
  ])('fallback when %s: every child record arrives', async (_what, settings) => {
    const sandbox = await sandboxOf(settings);
    const run = await read(testConfig(sandbox.url, extra), { streams: ['products', 'products_images', 'products_variations'] });
    expect(run.code).toBe(0);
    expect(problems(run, sandbox, ['products', 'products_images', 'products_variations'])).toEqual([]);
  });

  it('incremental orders ask only for orders from the state on: new orders and ties arrive, older pages are not read', async () => {
    const sandbox = await sandboxOf();
    // lookback_days 0: this is about `from` at the state; the lookback window is tested in fresh-data.test.ts.
    const config = testConfig(sandbox.url, { ...extra, lookback_days: 0 });
    const first = await read(config, { streams: ['orders'], mode: 'incremental' });
    expect(first.code).toBe(0);
    const firstRequests = sandbox.counters().byResource.orders!;
    const state = lastStates(first);
    const cursor = Date.parse((state[0] as any).stream.stream_state.created_at_utc);
    // Three orders created in the same second.
    sandbox.mutate({ op: 'insert', resource: 'orders', count: 3 });
    sandbox.resetCounters();
    const second = await read(config, { streams: ['orders'], mode: 'incremental', state });
    expect(second.code).toBe(0);
    expect(problems([first, second], sandbox, ['orders'])).toEqual([]);
    const emitted = records(second, 'orders');
    // Ties with the state are emitted again (never lost); the new orders are all there.
    const truth = truthOf(sandbox).streams.orders;
    const atOrAfter = truth.filter((o) => Date.parse(String(o.created_at_utc ?? o.created)) >= cursor);
    expect(emitted.map((o) => o.id).sort()).toEqual(atOrAfter.map((o) => o.id).sort());
    expect(atOrAfter.length).toBeGreaterThanOrEqual(3);
    expect(sandbox.counters().byResource.orders!).toBeLessThan(firstRequests);
  });

  it('incremental orders when the server ignores from: every record, and the log says so', async () => {
    const sandbox = await sandboxOf({ orderFilters: false });
    const config = testConfig(sandbox.url, extra);
    const first = await read(config, { streams: ['orders'], mode: 'incremental' });
    sandbox.mutate({ op: 'insert', resource: 'orders', count: 2 });
    const second = await read(config, { streams: ['orders'], mode: 'incremental', state: lastStates(first) });
    expect(second.code).toBe(0);
    expect(problems([first, second], sandbox, ['orders'])).toEqual([]);
    expect(logs(second).some((l) => /ignored from=/.test(l))).toBe(true);
  });
});

/**
 * Issue 30: products.yaml lists `options` among the products list's embed values. The vendor form of the
 * sandbox honours it (and cuts or ignores it as it does images); the seed form embeds images and variations
 * only: a server that honours some names and not others.
 */
describe('embed=options: product_options from the products list', () => {
  const STREAMS = ['products', 'product_options'];
  const VENDOR = { page_size_parameter: 'count' };
  const optionsRequests = (sandbox: Sandbox) => sandbox.counters().byResource.product_options ?? 0;
  const byId = (recs: Array<Record<string, any>>) => [...recs].sort((a, b) => a.id - b.id);
  const saidNotEmbedded = (run: Run) => logs(run).filter((l) => /did not embed options/.test(l));

  /** The same shop read as the connector reads it without embedding: today's options requests, one or more per product. */
  async function today(vendor: boolean, settings: Partial<Settings>) {
    const sandbox = await res.sandbox({ vendor });
    sandbox.updateSettings(settings);
    const run = await read(testConfig(sandbox.url, { ...(vendor ? VENDOR : {}), use_embedded_children: false }), { streams: STREAMS });
    expect(run.code).toBe(0);
    expect(problems(run, sandbox, STREAMS)).toEqual([]);
    return { run, sandbox };
  }

  it('honoured (vendor form): a handful of per-product options requests instead of one per product, and the records the per-product endpoint gives', async () => {
    const sandbox = await res.sandbox({ vendor: true });
    const run = await read(testConfig(sandbox.url, VENDOR), { streams: STREAMS });
    expect(run.code).toBe(0);
    expect(problems(run, sandbox, STREAMS)).toEqual([]);
    const before = await today(true, {});

    const products = truthOf(sandbox).streams.products.length;
    const withEmbed = optionsRequests(sandbox);
    expect({ withEmbed, withinAHandful: withEmbed <= HANDFUL }).toEqual({ withEmbed, withinAHandful: true });
    expect(optionsRequests(before.sandbox)).toBeGreaterThanOrEqual(products);
    // The products list is read as often either way: embedding costs no request.
    expect(sandbox.counters().byResource.products).toBe(before.sandbox.counters().byResource.products);
    expect(sandbox.counters().requests).toBe(before.sandbox.counters().requests - (optionsRequests(before.sandbox) - withEmbed));
    // Records as /v1/products/{id}/options answers them (plus the derived product_id), and products without the embedded arrays.
    expect(byId(records(run, 'product_options'))).toEqual(byId(records(before.run, 'product_options')));
    expect(byId(records(run, 'products'))).toEqual(byId(records(before.run, 'products')));
    expect(saidNotEmbedded(run)).toEqual([]);
  });

  it.each([
    ['the server ignores embed (vendor form)', true, { embed: false }],
    ['the server embeds images and variations but not options (seed form)', false, {}],
  ])('not honoured, %s: every option from the per-product lists, as many requests as without embedding, said once in the log', async (_what, vendor, settings) => {
    const sandbox = await res.sandbox({ vendor });
    sandbox.updateSettings(settings);
    const run = await read(testConfig(sandbox.url, vendor ? VENDOR : {}), { streams: STREAMS });
    expect(run.code).toBe(0);
    expect(problems(run, sandbox, STREAMS)).toEqual([]);
    const before = await today(vendor, settings);
    expect(optionsRequests(sandbox)).toBe(optionsRequests(before.sandbox));
    expect(sandbox.counters().requests).toBe(before.sandbox.counters().requests);
    expect(byId(records(run, 'product_options'))).toEqual(byId(records(before.run, 'product_options')));
    expect(saidNotEmbedded(run)).toHaveLength(1);
  });

  it('cut short by the server (vendor form, embedCap 3): every option, the cut said once, fewer options requests than without embedding', async () => {
    const sandbox = await res.sandbox({ vendor: true });
    sandbox.updateSettings({ embedCap: 3 });
    const run = await read(testConfig(sandbox.url, VENDOR), { streams: STREAMS });
    expect(run.code).toBe(0);
    expect(problems(run, sandbox, STREAMS)).toEqual([]);
    const before = await today(true, { embedCap: 3 });
    expect(optionsRequests(sandbox)).toBeLessThan(optionsRequests(before.sandbox));
    expect(sandbox.counters().requests).toBeLessThan(before.sandbox.counters().requests);
    expect(byId(records(run, 'product_options'))).toEqual(byId(records(before.run, 'product_options')));
    expect(logs(run).filter((l) => /cuts embedded options/.test(l))).toHaveLength(1);
  });
});

describe('counts (vendor dialect: lists carry no total)', () => {
  const COUNTED = ['products', 'orders', 'customers', 'categories'];

  it('an ESTIMATE per counted stream, equal to the shop, from /count', async () => {
    const sandbox = await res.sandbox({ vendor: true });
    const run = await read(testConfig(sandbox.url, { page_size_parameter: 'count' }), { streams: COUNTED });
    expect(run.code).toBe(0);
    const truth = truthOf(sandbox).streams;
    expect(estimates(run)).toEqual(Object.fromEntries(COUNTED.map((s) => [s, truth[s].length])));
    // One count per stream: the plain count answers here, so customers and orders ask no count per trade / archived value.
    expect(sandbox.counters().counts).toBe(COUNTED.length);
  });

  it('/count missing: no estimate, every stream complete, and one failed count stops the asking', async () => {
    const sandbox = await res.sandbox({ vendor: true });
    sandbox.updateSettings({ counts: false });
    const run = await read(testConfig(sandbox.url, { page_size_parameter: 'count' }), { streams: COUNTED });
    expect(run.code).toBe(0);
    expect(estimates(run)).toEqual({});
    expect(problems(run, sandbox, COUNTED)).toEqual([]);
    expect(sandbox.counters().counts).toBe(1);
  });

  it('use_counts off: no /count request', async () => {
    const sandbox = await res.sandbox({ vendor: true });
    const run = await read(testConfig(sandbox.url, { page_size_parameter: 'count', use_counts: false }), { streams: COUNTED });
    expect(run.code).toBe(0);
    expect(sandbox.counters().counts).toBe(0);
  });
});
