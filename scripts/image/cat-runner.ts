/**
 * Which runner of Airbyte's Connector Acceptance Tests `npm run cat` uses, in
 * this order:
 *   1. `CAT_RUNNER`, when set: a shell command, given the connector folder
 *      (the one holding acceptance-test-config.yml) and any extra pytest
 *      arguments, as Airbyte's own acceptance-test scripts take them;
 *   2. Airbyte's published CAT image, when a Docker daemon answers: it starts
 *      the connector's containers through the host's Docker socket, and writes
 *      their inputs under /tmp, which it shares with the host for that reason;
 *   3. the offline runner beside the checkout (../shared/cat/run.sh), for
 *      machines with neither Docker nor a registry (this project's CI).
 * CAT 0.11.5 is pinned: the last release that starts connectors through the
 * Docker API (later ones need dagger), and the one the offline runner holds.
 */
import path from 'node:path';

export const CAT_IMAGE = 'airbyte/connector-acceptance-test:0.11.5';

export interface CatRunner {
  /** How the choice was made, for the log line. */
  kind: 'CAT_RUNNER' | 'docker' | 'offline';
  command: string;
  args: string[];
}

export interface CatRunnerInputs {
  /** The connector folder: acceptance-test-config.yml and the files it names. */
  root: string;
  env: NodeJS.ProcessEnv;
  /** Whether a Docker daemon answers (asked only when CAT_RUNNER is unset). */
  dockerAnswers: () => boolean;
  exists: (file: string) => boolean;
  /** Passed on to pytest. */
  extraArgs: string[];
}

/** The offline runner's place: beside the checkout, where this project's machines keep it. */
export const offlineRunnerPath = (root: string) => path.resolve(root, '..', 'shared', 'cat', 'run.sh');

/** The runner to use, or an Error saying what would make one available. */
export function chooseCatRunner({ root, env, dockerAnswers, exists, extraArgs }: CatRunnerInputs): CatRunner | Error {
  const custom = env.CAT_RUNNER?.trim();
  if (custom) {
    // "$@" after the user's command: the folder and pytest arguments arrive as separate words, spaces and all.
    return { kind: 'CAT_RUNNER', command: 'sh', args: ['-c', `${custom} "$@"`, 'cat-runner', root, ...extraArgs] };
  }
  if (dockerAnswers()) {
    return {
      kind: 'docker',
      command: 'docker',
      args: [
        'run', '--rm',
        '-v', '/var/run/docker.sock:/var/run/docker.sock',
        '-v', '/tmp:/tmp',
        '-v', `${root}:/test_input`,
        CAT_IMAGE,
        '--acceptance-test-config', '/test_input',
        ...extraArgs,
      ],
    };
  }
  const offline = offlineRunnerPath(root);
  if (exists(offline)) return { kind: 'offline', command: 'bash', args: [offline, root, ...extraArgs] };
  return new Error(
    `no way to run Airbyte's acceptance tests here: CAT_RUNNER is not set, no Docker daemon answers ` +
      `(docker info), and there is no offline runner at ${offline}. Start Docker (the tests then run in ` +
      `${CAT_IMAGE}), or set CAT_RUNNER to a command that takes the connector folder and pytest arguments.`
  );
}
