/**
 * `bin/main airbyte-local-cli-wizard`, the kit's helper for Faros' airbyte-local
 * CLI, run as a user runs it (non-interactive: --autofill): it reads this
 * connector's spec and prints the `--src.<field>` arguments, or writes the
 * source config as JSON (the `src.config` of an airbyte-local config file).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

import { MAIN, ROOT, runConnector, workDir } from '../helpers/connector';

const files = workDir();
afterAll(() => files.cleanup());

// The wizard prints text, not protocol messages, so it is spawned here rather than with runConnector.
const wizard = (...args: string[]) =>
  spawnSync(process.execPath, [MAIN, 'airbyte-local-cli-wizard', '--autofill', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });

async function requiredFields(): Promise<string[]> {
  const spec = await runConnector(['spec'], { timeoutMs: 30_000 });
  const required = spec.messages.find((m) => m.type === 'SPEC')?.spec.connectionSpecification.required;
  expect(Array.isArray(required) && required.length > 0).toBe(true);
  return required;
}

it('prints one --src.<field> argument per required field of the spec, and exits 0', async () => {
  const required = await requiredFields();
  const run = wizard();
  expect(run.status).toBe(0);
  const args = run.stdout.split('\n').map((l) => /^--src\.(\w+) /.exec(l.trim())?.[1]).filter(Boolean);
  expect(args.sort()).toEqual([...required].sort());
});

it('prints the secrets as the environment variables the shipped airbyte-local config uses', () => {
  const shipped = JSON.parse(fs.readFileSync(`${ROOT}/faros/airbyte-local-config.json`, 'utf8')).src.config;
  const run = wizard();
  expect(run.status).toBe(0);
  const printed = Object.fromEntries(
    run.stdout
      .split('\n')
      .map((l) => /^--src\.(\w+) "(.*)"/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]])
  );
  expect(printed).toEqual({ api_key: shipped.api_key, api_secret: shipped.api_secret });
});

it('with --json, writes the source config with exactly the required fields', async () => {
  const required = await requiredFields();
  const file = `${files.dir}/src-config.json`;
  const run = wizard('--json', file);
  expect(run.status).toBe(0);
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(Object.keys(config).sort()).toEqual([...required].sort());
});
