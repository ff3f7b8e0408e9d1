/**
 * Issue 21 (1): embedded arrays are never trusted below a guessed length. The
 * sandbox cuts every embedded images/variations array (and options, which the
 * vendor form embeds: issue 30) at `embedCap` (0: whole) without saying so;
 * with embedding on (the default), bin/main must emit every image, variation
 * and option of the shop exactly once, whatever the cap, in both dialects, for
 * a handful of requests more than the cap makes unavoidable.
 */
import { Run, records } from '../helpers/connector';
import { Resources, logs, read, testConfig } from '../helpers/guarantees';
import { compareToTruth, describeDiff, truthOf } from '../../scripts/truth-check';
import type { Sandbox } from '../../sandbox/server';

jest.setTimeout(120_000);

const res = new Resources();
afterAll(() => res.closeAll());

const CAPS = [1, 3, 5, 9, 10, 50, 0] as const; // 0: the sandbox embeds whole arrays
/** The streams each form of the sandbox embeds, by the name the products list uses (the seed form ignores embed=options). */
const DIALECTS = [
  { name: 'documented', vendor: false, extra: {}, embedded: { products_images: 'images', products_variations: 'variations' } },
  { name: 'vendor', vendor: true, extra: { page_size_parameter: 'count' }, embedded: { products_images: 'images', products_variations: 'variations', product_options: 'options' } },
] as const;

function problems(run: Run, sandbox: Sandbox, streams: string[]): string[] {
  const truth = truthOf(sandbox);
  return ['products', ...streams].flatMap((s) => describeDiff(s, compareToTruth(s, records(run, s), truth)));
}

/** How many children each product has in this stream, per the sandbox's truth (products without any included). */
function childCounts(sandbox: Sandbox, stream: string): number[] {
  const perProduct = new Map<number, number>();
  for (const p of truthOf(sandbox).streams.products) perProduct.set(p.id as number, 0);
  for (const parent of Object.values(sandbox.parents()[stream])) perProduct.set(parent, (perProduct.get(parent) ?? 0) + 1);
  return [...perProduct.values()];
}

/** Requests the sandbox's page size of 20 takes for a list of n records (pages overlap by one; the vendor form has no total). */
const listRequests = (n: number, vendor: boolean) => (vendor ? 1 + Math.floor(n / 20) : Math.max(1, Math.ceil(n / 20)));

describe.each(DIALECTS)('$name dialect, embedding on', ({ vendor, extra, embedded }) => {
  const EMBEDDED = Object.keys(embedded) as Array<keyof typeof embedded>;
  it.each(CAPS)(`embedded arrays cut at %i (0 = whole): every ${Object.values(embedded).join(', ')} record exactly once, a handful of requests beyond the unavoidable`, async (cap) => {
    const sandbox = await res.sandbox({ vendor });
    sandbox.updateSettings({ embedCap: cap });
    const run = await read(testConfig(sandbox.url, extra), { streams: ['products', ...EMBEDDED] });

    expect(run.code).toBe(0);
    expect(problems(run, sandbox, EMBEDDED)).toEqual([]);
    for (const stream of EMBEDDED) {
      // A cut array looks exactly like a whole one of the same length: every product with at least
      // `cap` children must be read from its own list by any rule that loses nothing.
      const counts = childCounts(sandbox, stream);
      const mustRead = cap === 0 ? [] : counts.filter((n) => n >= cap);
      const unavoidable = mustRead.reduce((sum, n) => sum + listRequests(n, vendor), 0);
      const sent = sandbox.counters().byResource[stream] ?? 0;
      const extra = sent - unavoidable;
      expect({ stream, extra, withinAHandful: extra >= 0 && extra <= 5 }).toEqual({ stream, extra, withinAHandful: true });
    }
    const cutLogs = logs(run).filter((l) => /cuts embedded/.test(l));
    if (cap === 0 || cap >= 50) expect(cutLogs).toEqual([]);
    else expect(cutLogs.map((l) => /embedded (\w+)/.exec(l)![1]).sort()).toEqual(Object.values(embedded).sort());
  });
});
