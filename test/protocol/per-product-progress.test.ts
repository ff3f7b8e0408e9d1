/**
 * Issue 35: a per-product stream's progress lines say how many products there
 * are ("13 of about 60 products"), from the products list's total or its
 * `/count`, and say so when neither is known rather than invent one. bin/main
 * reads products_images, which follows the products list as it is read: a
 * slow sandbox (every answer waits) keeps that list going past the 10 s
 * cadence of the "in progress" lines, so those lines are written while the
 * total is still an estimate; the closing line counts the list read to the end.
 */
import { startSandbox } from '../../sandbox/server';
import { catalogFor, runConnector, workDir } from '../helpers/connector';

jest.setTimeout(90_000);

const FORMS = [
  { form: 'documented form (lists carry a total)', vendor: false, counts: true, total: 'about ' },
  { form: 'vendor form (no total; /count answers)', vendor: true, counts: true, total: 'about ' },
  { form: 'vendor form without /count', vendor: true, counts: false, total: undefined },
] as const;

async function progressLines({ vendor, counts }: { vendor: boolean; counts: boolean }) {
  const files = workDir();
  // Every answer waits 2.5 s: the products list, 10 per page, takes past the 10 s cadence to read.
  const sandbox = await startSandbox({ vendor, rateLimitCapacity: 0, latencyMs: 2500 });
  sandbox.updateSettings({ counts });
  try {
    const config = {
      api_key: 'demo_key',
      api_secret: 'demo_secret',
      base_url: sandbox.url,
      page_size: 10,
      ...(vendor ? { page_size_parameter: 'count' } : {}),
    };
    const run = await runConnector([
      'read',
      '--config',
      files.write('config.json', config),
      '--catalog',
      files.write('catalog.json', catalogFor([{ name: 'products_images', pk: 'id' }], 'full_refresh')),
    ]);
    expect(run.code).toBe(0);
    const logs = run.messages.filter((m) => m.type === 'LOG').map((m) => m.log.message as string);
    return {
      products: sandbox.truth().products.length,
      inProgress: logs.filter((l) => l.startsWith("Stream 'products_images' in progress: ")),
      finished: logs.filter((l) => l.startsWith("Stream 'products_images' finished: ")),
    };
  } finally {
    await sandbox.close();
    files.cleanup();
  }
}

describe('per-product progress lines give the product total', () => {
  // The three runs mostly wait on the sandbox: run together, they take the time of one.
  const runs = Promise.all(FORMS.map((form) => progressLines(form)));

  it.each(FORMS.map((form, i) => ({ ...form, i })))('$form', async ({ i, total }) => {
    const { products, inProgress, finished } = (await runs)[i];
    expect(inProgress.length).toBeGreaterThan(0);
    for (const line of inProgress) {
      const [, done] = / pages?, (\d+) /.exec(line) ?? [];
      expect(Number(done)).toBeLessThanOrEqual(products);
      expect(line).toContain(total === undefined ? `, ${done} products, how many in all not known yet, ` : `, ${done} of ${total}${products} products, `);
    }
    expect(finished).toHaveLength(1);
    expect(finished[0]).toContain(`, ${products} of ${products} products, `);
  });
});
