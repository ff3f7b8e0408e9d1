/**
 * src/read/child-resume.ts on its own: which products a checkpoint covers when
 * several are read at once, and when a saved position may skip products.
 * (End to end, with bin/main and the sandbox: test/guarantees/resumable-full-refresh.test.ts.)
 */
import { AirbyteLogger } from 'faros-airbyte-cdk';

import { CHECKPOINT_EVERY_PRODUCTS, ChildResume, RESUME_KEY, RESUME_MAX_AGE_MS, configSha256 } from '../../src/read/child-resume';
import { Slice } from '../../src/read/product-list';

const logged: string[] = [];
const logger = { info: (m: string) => logged.push(`INFO ${m}`), warn: (m: string) => logged.push(`WARN ${m}`) } as unknown as AirbyteLogger;
beforeEach(() => (logged.length = 0));

async function* listOf(ids: number[]): AsyncGenerator<Slice> {
  for (const id of ids) yield { prd_id: id };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** Reads every pending slice and finishes them in list order; returns the ids handed out and the last checkpoint. */
async function readAll(resume: ChildResume, ids: number[]) {
  const handed: number[] = [];
  let last: Record<string, unknown> | undefined;
  for await (const { slice, seq } of resume.pending(listOf(ids))) {
    handed.push(slice!.prd_id as number);
    resume.finished(seq);
    if (resume.checkpointDue()) last = resume.checkpoint();
  }
  return { handed, last };
}

describe('ChildResume', () => {
  it('checkpoints only the finished prefix: a product finished ahead of a slower one before it is not covered', async () => {
    const resume = ChildResume.start('products_reviews', undefined, logger);
    const out = resume.pending(listOf(range(100, 30)));
    const seqs: number[] = [];
    for await (const { seq } of out) seqs.push(seq);
    // Every product but the 3rd (seq 2) finishes.
    for (const seq of seqs) if (seq !== 2) resume.finished(seq);
    expect(resume.checkpointDue()).toBe(false);
    expect(resume.checkpoint()).toEqual({ [RESUME_KEY]: { products_done: 2, last_product: 101, prefix_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    resume.finished(2);
    expect(resume.checkpointDue()).toBe(true);
    expect((resume.checkpoint()[RESUME_KEY] as any).products_done).toBe(30);
  });

  it('a position saved by one read lets the next skip exactly the finished products, keeping the rest of the state', async () => {
    const ids = range(1, 60);
    const { last } = await readAll(ChildResume.start('product_options', { created_at_utc: 'kept' }, logger), ids);
    expect(last![RESUME_KEY]).toMatchObject({ products_done: 2 * CHECKPOINT_EVERY_PRODUCTS, last_product: 50 });
    const cut = { created_at_utc: 'kept', [RESUME_KEY]: { ...(last![RESUME_KEY] as object) } };

    // Products added at the end and the last one removed: the prefix is the same.
    const resumed = ChildResume.start('product_options', cut, logger);
    const { handed } = await readAll(resumed, [...range(1, 59), 61, 62]);
    expect(handed).toEqual([...range(51, 9), 61, 62]);
    expect(resumed.final()).toEqual({ created_at_utc: 'kept' });
    expect(logged.filter((l) => l.startsWith('WARN'))).toEqual([]);
  });

  it('the same count and the same last product, but another product in the prefix: nobody is skipped', async () => {
    const { last } = await readAll(ChildResume.start('products_images', undefined, logger), range(1, 30));
    const saved = { [RESUME_KEY]: last![RESUME_KEY] };
    // Product 3 removed, product 99 inserted before product 25: 25 products up to 25 again.
    const changed = [1, 2, ...range(4, 21), 99, 25, 26, 27];
    const { handed } = await readAll(ChildResume.start('products_images', saved, logger), changed);
    expect(handed).toEqual(changed);
    expect(logged.filter((l) => /does not fit the product list/.test(l))).toHaveLength(1);
  });

  it('a list now shorter than the saved position: every product is read', async () => {
    const { last } = await readAll(ChildResume.start('products_images', undefined, logger), range(1, 30));
    const { handed } = await readAll(ChildResume.start('products_images', { [RESUME_KEY]: last![RESUME_KEY] }, logger), range(1, 10));
    expect(handed).toEqual(range(1, 10));
    expect(logged.filter((l) => /fewer than the 25 read before/.test(l))).toHaveLength(1);
  });

  it('ids keep their JSON type: a position saved for product 7 does not match product "7"', async () => {
    const { last } = await readAll(ChildResume.start('products_images', undefined, logger), range(1, 25));
    async function* asText(): AsyncGenerator<Slice> {
      for (const id of range(1, 26)) yield { prd_id: String(id) };
    }
    const handed: unknown[] = [];
    for await (const { slice } of ChildResume.start('products_images', { [RESUME_KEY]: last![RESUME_KEY] }, logger).pending(asText())) handed.push(slice!.prd_id);
    expect(handed).toHaveLength(26);
  });

  it('a position older than a few hours, or written under another config, is ignored: every product is read; a fresh one from the same config is used', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const guard = (config: Record<string, unknown>) => ({ configSha256: configSha256(config), now: () => clock });
    const config = { api_key: 'k', api_secret: 's', base_url: 'https://shop.example', page_size: 50 };
    const { last } = await readAll(ChildResume.start('products_images', undefined, logger, guard(config)), range(1, 30));
    expect(last![RESUME_KEY]).toMatchObject({ products_done: 25, written_at: '2026-01-01T00:00:00.000Z', config_sha256: configSha256(config) });
    const saved = { [RESUME_KEY]: last![RESUME_KEY] };

    // Within the window, another key or secret (not part of the fingerprint): resumed.
    clock += RESUME_MAX_AGE_MS - 1000;
    const fresh = await readAll(ChildResume.start('products_images', saved, logger, guard({ ...config, api_secret: 'rotated' })), range(1, 30));
    expect(fresh.handed).toEqual(range(26, 5));
    // Past it: a sync that has ended; read whole.
    clock += 2000;
    const stale = await readAll(ChildResume.start('products_images', saved, logger, guard(config)), range(1, 30));
    expect(stale.handed).toEqual(range(1, 30));
    expect(logged.filter((l) => /more than 6 hours ago/.test(l))).toHaveLength(1);
    // Another config (another shop): read whole.
    clock -= 2000;
    const foreign = await readAll(ChildResume.start('products_images', saved, logger, guard({ ...config, base_url: 'https://other.example' })), range(1, 30));
    expect(foreign.handed).toEqual(range(1, 30));
    expect(logged.filter((l) => /another config/.test(l))).toHaveLength(1);
  });
});
