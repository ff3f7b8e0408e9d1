/**
 * The check .ci/run applies to jest's --json report: any test skipped, pending
 * or todo fails CI. Run on reports jest itself wrote for small test files.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { ROOT, workDir } from '../helpers/connector';

jest.setTimeout(60_000);

/** Runs jest on one throwaway test file (plain JS, in a temp dir) and then the CI check on its --json report. */
function ciCheckOn(testSource: string) {
  const dir = workDir();
  try {
    dir.write('sample.test.js', testSource);
    const report = path.join(dir.dir, 'report.json');
    const config = JSON.stringify({ rootDir: dir.dir, testEnvironment: 'node' });
    spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', config, '--json', `--outputFile=${report}`], { cwd: dir.dir, encoding: 'utf8' });
    return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'no-skipped-tests.ts'), report], { cwd: ROOT, encoding: 'utf8' });
  } finally {
    dir.cleanup();
  }
}

describe('.ci/run fails when any test did not run', () => {
  it.each([
    ['it.skip', "it('runs', () => expect(1).toBe(1));\nit.skip('is skipped', () => {});"],
    ['it.todo', "it('runs', () => expect(1).toBe(1));\nit.todo('is to do');"],
    ['describe.skip', "it('runs', () => expect(1).toBe(1));\ndescribe.skip('off', () => { it('inside', () => {}); });"],
  ])('a file with %s: exit 1, naming the test', (_what, source) => {
    const check = ciCheckOn(source);
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/1 of 2 tests did not run/);
  });

  it('a file whose tests all ran: exit 0', () => {
    const check = ciCheckOn("it('runs', () => expect(1).toBe(1));\nit('runs too', () => expect(2).toBe(2));");
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('All 2 tests ran');
  });
});
