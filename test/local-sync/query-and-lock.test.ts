/**
 * `npm run query` runs SQL on the file `npm run sync` wrote; a file another program holds gets a message
 * saying which program and what to do, from the sync and the query alike.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { DuckDBInstance } from '@duckdb/node-api';

import { configFor } from '../helpers/acceptance';
import { ROOT } from '../helpers/connector';
import { Resources } from '../helpers/guarantees';
import { runSync } from '../helpers/local-sync';

jest.setTimeout(120_000);

const res = new Resources();
const work = res.dir();
afterAll(() => res.closeAll());

/** `npm run query` as the docs give it. */
const npmQuery = (args: string[]) =>
  promisify(execFile)('npm', ['run', '--silent', 'query', '--', ...args], { cwd: ROOT }).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string })
  );

test('npm run query prints the rows of a query on the synced file; a held file gets a clear message, no raw lock error', async () => {
  const sandbox = await res.sandbox();
  const config = work.write('config.json', configFor(sandbox.url));
  const db = path.join(work.dir, 'shop.duckdb');
  expect((await runSync(['--config', config, '--db', db, '--streams', 'countries'])).code).toBe(0);

  const countries = sandbox.truth().countries as Array<{ id: number }>;
  const first = Math.min(...countries.map((c) => c.id));
  const ok = await npmQuery(['--db', db, `SELECT count(*) AS n, min(id) AS first FROM countries`]);
  expect(ok.code).toBe(0);
  expect(ok.stdout.split('\n').filter((l) => l.startsWith('║'))).toEqual([
    expect.stringMatching(/^║ n +│ first +║$/),
    expect.stringMatching(new RegExp(`^║ ${countries.length} +│ ${first} +║$`)),
  ]);
  expect(ok.stdout).toMatch(/^1 row$/m);

  const bad = await npmQuery(['--db', db, 'SELECT nope FROM countries']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/^query: .*nope/);

  // This test's process holds the file, as a DuckDB shell left open would.
  const holder = await DuckDBInstance.create(db);
  const held = await holder.connect();
  try {
    const blocked = await runSync(['--config', config, '--db', db, '--streams', 'countries']);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr.trim()).toBe(
      `sync: ${db} is open in another program (${process.execPath}, PID ${process.pid}), and DuckDB lets one process write a file at a time: ` +
        'close that program (quit the DuckDB shell, or the notebook or script using the file) and run again.'
    );
    const query = await npmQuery(['--db', db, 'SELECT 1']);
    expect(query.code).toBe(2);
    expect(query.stderr).toMatch(new RegExp(`^query: .* is open in another program \\(.*PID ${process.pid}\\)`));
  } finally {
    held.closeSync();
    holder.closeSync();
  }
});
