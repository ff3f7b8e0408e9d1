/**
 * The README's recipe for a configured catalog: discover's output piped through `npm run catalog` is a
 * catalog `read` takes, incremental where a stream supports it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { Sandbox } from '../../sandbox/types';
import { MAIN, ROOT, records, runConnector } from '../helpers/connector';
import { Resources } from '../helpers/guarantees';

jest.setTimeout(90_000);

const res = new Resources();
const files = res.dir();
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await res.sandbox();
});
afterAll(() => res.closeAll());

const sh = (script: string) => promisify(execFile)('bash', ['-o', 'pipefail', '-c', script], { cwd: ROOT });

test('bin/main discover | npm run catalog -- --streams orders,countries: a catalog read syncs both from', async () => {
  const config = files.write('config.json', { api_key: 'demo_key', api_secret: 'demo_secret', base_url: sandbox.url, rate_limit_capacity: 0 });
  const catalogFile = `${files.dir}/catalog.json`;
  await sh(`node ${MAIN} discover --config ${config} | npm run --silent catalog -- --streams orders,countries > ${catalogFile}`);
  const catalog = require(catalogFile);
  expect(catalog.streams.map((s: any) => [s.stream.name, s.sync_mode, s.cursor_field])).toEqual([
    ['countries', 'full_refresh', undefined],
    ['orders', 'incremental', ['changed_at_utc']],
  ]);

  const run = await runConnector(['read', '--config', config, '--catalog', catalogFile], { timeoutMs: 60_000 });
  expect(run.code).toBe(0);
  const truth = sandbox.truth() as Record<string, unknown[]>;
  expect(records(run, 'orders')).toHaveLength(truth.orders.length);
  expect(records(run, 'countries')).toHaveLength(truth.countries.length);
});

test('an unknown stream name or input without a CATALOG message: exit 2 with one line', async () => {
  const err = await sh(`echo '{"type":"LOG"}' | npm run --silent catalog`).catch((e) => e);
  expect(err.code).toBe(2);
  expect(err.stderr).toMatch(/^catalog: no CATALOG message on stdin/);
  const config = files.write('c2.json', { api_key: 'demo_key', api_secret: 'demo_secret', base_url: sandbox.url });
  const bad = await sh(`node ${MAIN} discover --config ${config} | npm run --silent catalog -- --streams order`).catch((e) => e);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/^catalog: unknown stream\(s\) order; discover lists .*orders/);
});
