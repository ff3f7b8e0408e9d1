/**
 * The README's and docs' commands as written: the Docker section reaches a sandbox on the host, the files
 * the recipes write are ignored by git, and docs/faros.md describes and uses the catalog that ships.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { ROOT, workDir } from './helpers/connector';

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const shipped = JSON.parse(read('faros/airbyte-local-config.json')).src.catalog.streams.filter((s: any) => !s.disabled);
const names = (text: string) => [...text.matchAll(/`(\w+)`/g)].map((m) => m[1]).sort();

test("every docker run of the README's Docker section that reads the config can reach the sandbox on the host", () => {
  const section = read('README.md').split('\n## Docker')[1].split('\n## ')[0];
  const runs = section.replace(/\\\n/g, ' ').split('\n').filter((l) => /docker run .*--config \/secrets\/config\.json/.test(l));
  expect(runs.length).toBeGreaterThanOrEqual(4);
  for (const run of runs) expect([run, /--network=host/.test(run)]).toEqual([run, true]);
});

test('git ignores the files the Docker section and the Faros recipes write', () => {
  const files = ['secrets/config.json', 'secrets/catalog.json', 'secrets/state.json', 'faros_airbyte_cli_config.json', 'dry-run__state.json', 'myshop__state.json', 'dst.json', 'catalog.json', 'dst-catalog.json'];
  const ignored = execFileSync('git', ['check-ignore', '--no-index', ...files], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
  expect(ignored.sort()).toEqual([...files].sort());
});

test("docs/faros.md names the shipped catalog's incremental and full-refresh streams as they ship", () => {
  const bullet = read('docs/faros.md').split('- **The catalog** (`src.catalog`)')[1].split('\n- **')[0];
  const parts = /the five mapped streams\.([\s\S]*?)\sincremental \([\s\S]*?\),([\s\S]*?)\sfull refresh:/.exec(bullet);
  expect(parts).not.toBeNull();
  const modes = (mode: string) => shipped.filter((s: any) => s.sync_mode === mode).map((s: any) => s.stream.name).sort();
  expect({ incremental: names(parts![1]), full_refresh: names(parts![2]) }).toEqual({ incremental: modes('incremental'), full_refresh: modes('full_refresh') });
});

test("docs/faros.md's dry run builds its catalog from the shipped src.catalog, as the CLI configures it", () => {
  const doc = read('docs/faros.md').split('## Checking the mapping without Docker or Faros')[1];
  const command = /\njq '\{streams: \[\.src\.catalog[\s\S]*?> catalog\.json/.exec(doc)?.[0].trim();
  expect(command).toBeDefined();
  const dir = workDir();
  try {
    execFileSync('bash', ['-c', command!.replace('faros/airbyte-local-config.json', path.join(ROOT, 'faros/airbyte-local-config.json'))], { cwd: dir.dir });
    const catalog = JSON.parse(fs.readFileSync(path.join(dir.dir, 'catalog.json'), 'utf8'));
    expect(catalog.streams.map((s: any) => [s.stream.name, s.sync_mode])).toEqual(shipped.map((s: any) => [s.stream.name, s.sync_mode]));
  } finally {
    dir.cleanup();
  }
});
