/**
 * The README's and docs' commands as written: the by-hand recipes of "Running it" run against the sandbox,
 * the Docker section reaches a sandbox on the host (run for real by `npm run image:test`), the files the
 * recipes write are ignored by git, and docs/faros.md describes and uses the catalog that ships.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { startSandbox } from '../sandbox/server';
import { STREAM_NAMES } from '../scripts/streams';
import { Message, ROOT, workDir } from './helpers/connector';

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const shipped = JSON.parse(read('faros/airbyte-local-config.json')).src.catalog.streams.filter((s: any) => !s.disabled);
const names = (text: string) => [...text.matchAll(/`(\w+)`/g)].map((m) => m[1]).sort();

jest.setTimeout(120_000);

test("README's Running it: spec, check, discover, a read, and the next reads from its STATE lines appended to one file, as written, against the sandbox", async () => {
  const section = read('README.md').split('\n## Running it\n')[1].split('\n## ')[0];
  const fenced = (lang: string) => [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
  const commands = fenced('sh').flatMap((block) => block.split('\n').filter((line) => line.trim()));
  // The state recipe appends a read's STATE lines to one file: its read run twice, on the lines of both reads before it.
  const append = commands.findIndex((c) => c.startsWith('grep ') && c.includes('>> state.jsonl'));
  expect(commands[append + 1]).toMatch(/ read .*--state state\.jsonl$/);
  commands.push(commands[append + 1].replace(/$/, ' > messages.jsonl'), commands[append], commands[append + 1]);
  // As the section starts it (`--rate-limit-per-second 20`), on any free port: the config names it.
  const sandbox = await startSandbox({ rateLimitPerSecond: 20 });
  const dir = workDir();
  try {
    fs.symlinkSync(path.join(ROOT, 'bin'), path.join(dir.dir, 'bin'));
    fs.symlinkSync(path.join(ROOT, 'test_files'), path.join(dir.dir, 'test_files'));
    dir.write('config.json', { ...JSON.parse(fenced('json')[0]), base_url: sandbox.url });
    const outputs: Array<{ command: string; messages: Message[] }> = [];
    for (const command of commands) {
      const { stdout } = await promisify(execFile)('bash', ['-o', 'pipefail', '-c', command], { cwd: dir.dir, maxBuffer: 1 << 28 });
      const written = /> (\S+)$/.exec(command)?.[1];
      const text = written ? fs.readFileSync(path.join(dir.dir, written), 'utf8') : stdout;
      outputs.push({ command, messages: written?.endsWith('state.json') ? [] : text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) });
    }
    const of = (type: string, { messages }: { messages: Message[] }) => messages.filter((m) => m.type === type);
    const reads = outputs.filter(({ command }) => / read /.test(command));
    expect(outputs.map(({ command, messages }) => [command.split(' ').slice(0, 2).join(' '), messages[0]?.type])).toEqual(
      expect.arrayContaining([['bin/main spec', 'SPEC'], ['bin/main discover', 'CATALOG']])
    );
    const check = outputs.find(({ command }) => / check /.test(command))!;
    expect(of('CONNECTION_STATUS', check).map((m) => m.connectionStatus.status)).toEqual(['SUCCEEDED']);
    expect(reads).toHaveLength(4);
    const recordCounts = reads.map((run) => {
      const complete = of('TRACE', run).filter((m) => m.trace.stream_status?.status === 'COMPLETE').map((m) => m.trace.stream_status.stream_descriptor.name);
      expect([run.command, of('TRACE', run).filter((m) => m.trace.type === 'ERROR'), [...complete].sort()]).toEqual([run.command, [], [...STREAM_NAMES].sort()]);
      return of('RECORD', run).length;
    });
    // The first read holds the whole shop; the later ones continue from the STATE lines appended so far (the last of each stream wins).
    expect(recordCounts[0]).toBe(Object.values(sandbox.truth()).reduce((n, list) => n + (list as unknown[]).length, 0));
    expect(recordCounts[1]).toBeLessThan(recordCounts[0]);
    // The third read had the same lines as the second; the fourth has the third's appended, which are never behind them.
    expect(recordCounts[2]).toBe(recordCounts[1]);
    expect(recordCounts[3]).toBeLessThanOrEqual(recordCounts[2]);
  } finally {
    dir.cleanup();
    await sandbox.close();
  }
});

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
