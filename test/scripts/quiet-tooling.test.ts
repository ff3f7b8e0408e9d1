/**
 * The project's own commands print nothing a user has to wonder about: `npm ci` no install-script warning,
 * jest no ts-jest deprecation and no console output from a test.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { ROOT } from '../helpers/connector';

jest.setTimeout(120_000);

const run = (cmd: string, args: string[]) =>
  promisify(execFile)(cmd, args, { cwd: ROOT, env: { ...process.env, CI: 'true' } }).catch((e) => ({ stdout: e.stdout, stderr: e.stderr }));

test('every dependency with an install script is approved or denied in allowScripts (npm ci warns about none)', async () => {
  const { stdout } = await run('npm', ['install-scripts', 'ls']);
  expect(stdout.trim()).toBe('No packages with unreviewed install scripts.');
});

test('a jest run prints no ts-jest deprecation and no console output', async () => {
  const { stderr } = await run(process.execPath, [path.join(ROOT, 'node_modules', '.bin', 'jest'), 'test/config/config-warnings.test.ts']);
  expect(stderr).toMatch(/PASS test\/config\/config-warnings\.test\.ts/);
  expect(stderr).not.toMatch(/ts-jest\[config\]|deprecated/);
  expect(stderr).not.toMatch(/console\.(log|info|warn)/);
});

test('no test file writes to the console (jest prints each call with its stack in the run)', () => {
  const dir = path.join(ROOT, 'test');
  const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.test.ts'));
  // A line ending in a template literal's close is code a test hands to a child process, whose stdout it reads.
  const printing = (line: string) => /\bconsole\.(log|info|warn|error|debug)\(/.test(line) && !/`;\s*$/.test(line);
  const calls = files.filter((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').some(printing));
  expect(calls).toEqual([]);
});
