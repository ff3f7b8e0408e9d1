/**
 * `npm run cat`'s choice of runner for Airbyte's acceptance tests
 * (scripts/image/cat-runner.ts): CAT_RUNNER, else the published CAT image when
 * a Docker daemon answers, else the offline runner beside the checkout. CAT
 * itself is not run here; a CAT_RUNNER command is, to see what it receives.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { CAT_IMAGE, CatRunner, CatRunnerInputs, chooseCatRunner, offlineRunnerPath } from '../../scripts/image/cat-runner';

const ROOT = '/home/me/my checkout/ecommerce-source';
const OFFLINE = path.resolve(ROOT, '..', 'shared', 'cat', 'run.sh');

function choose(overrides: Partial<CatRunnerInputs>): CatRunner | Error {
  return chooseCatRunner({
    root: ROOT,
    env: {},
    dockerAnswers: () => false,
    exists: () => false,
    extraArgs: [],
    ...overrides,
  });
}

function runner(overrides: Partial<CatRunnerInputs>): CatRunner {
  const chosen = choose(overrides);
  if (chosen instanceof Error) throw chosen;
  return chosen;
}

describe('npm run cat: which acceptance-test runner', () => {
  it('CAT_RUNNER wins over a Docker daemon and the offline runner, and Docker is not even asked', () => {
    const dockerAnswers = jest.fn(() => true);
    const chosen = runner({ env: { CAT_RUNNER: 'my-cat' }, dockerAnswers, exists: () => true });
    expect(chosen.kind).toBe('CAT_RUNNER');
    expect(dockerAnswers).not.toHaveBeenCalled();
  });

  it('a CAT_RUNNER command receives the connector folder and pytest arguments as separate words, spaces kept', () => {
    const chosen = runner({ env: { CAT_RUNNER: `printf '[%s]\\n'` }, extraArgs: ['-k', 'test_read or test_spec'] });
    const res = spawnSync(chosen.command, chosen.args, { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stdout).toBe(`[${ROOT}]\n[-k]\n[test_read or test_spec]\n`);
  });

  it('a blank CAT_RUNNER counts as unset', () => {
    expect(runner({ env: { CAT_RUNNER: '  ' }, dockerAnswers: () => true }).kind).toBe('docker');
  });

  it('with a Docker daemon: the published CAT image, pinned to 0.11.5, with the Docker socket, /tmp and the folder mounted', () => {
    const chosen = runner({ dockerAnswers: () => true, exists: () => true, extraArgs: ['-k', 'test_spec'] });
    expect(CAT_IMAGE).toBe('airbyte/connector-acceptance-test:0.11.5');
    expect(chosen).toEqual({
      kind: 'docker',
      command: 'docker',
      args: [
        'run', '--rm',
        '-v', '/var/run/docker.sock:/var/run/docker.sock',
        '-v', '/tmp:/tmp',
        '-v', `${ROOT}:/test_input`,
        'airbyte/connector-acceptance-test:0.11.5',
        '--acceptance-test-config', '/test_input',
        '-k', 'test_spec',
      ],
    });
  });

  it('without Docker: the offline runner beside the checkout, when it is there', () => {
    expect(offlineRunnerPath(ROOT)).toBe(OFFLINE);
    const exists = jest.fn((file: string) => file === OFFLINE);
    expect(runner({ exists, extraArgs: ['-x'] })).toEqual({ kind: 'offline', command: 'bash', args: [OFFLINE, ROOT, '-x'] });
    expect(exists).toHaveBeenCalledWith(OFFLINE);
  });

  it('with none of the three: an error saying how to get one', () => {
    const chosen = choose({});
    expect(chosen).toBeInstanceOf(Error);
    const message = (chosen as Error).message;
    expect(message).toContain('CAT_RUNNER is not set');
    expect(message).toContain('no Docker daemon answers');
    expect(message).toContain(OFFLINE);
    expect(message).toContain('airbyte/connector-acceptance-test:0.11.5');
  });
});
