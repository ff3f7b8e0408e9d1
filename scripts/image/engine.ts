/**
 * The container engine that builds and runs the connector's image: `docker`
 * where its daemon answers, else `podman` (this project's CI machines, which
 * have no Docker daemon: .ci/run sets podman up with a script kept beside the
 * checkout). Shared by
 * `npm run image:test` and `npm run cat`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const IMAGE = 'ecommerce-source:dev';

export interface Engine {
  /** `docker` or `podman`. */
  command: string;
  /** Flags for `run` so that a container reaches a sandbox on the host's 127.0.0.1. */
  hostNetwork: string[];
}

const answers = (command: string, args: string[]) =>
  spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 }).status === 0;

/** The engine to use, or an Error saying why there is none. */
export function findEngine(): Engine | Error {
  if (answers('docker', ['info'])) return { command: 'docker', hostNetwork: ['--network=host'] };
  if (answers('podman', ['info'])) return { command: 'podman', hostNetwork: ['--network=host'] };
  const docker = answers('docker', ['--version']) ? 'the docker CLI is installed but no Docker daemon answers' : 'no docker CLI';
  const podman = answers('podman', ['--version']) ? 'podman is installed but cannot run (podman info failed)' : 'no podman';
  return new Error(
    `No container engine can run here: ${docker}; ${podman}. Start Docker (or make podman work: ` +
      `\`podman info\` must succeed).`
  );
}

/** Builds the image from ./Dockerfile; throws with the engine's output on failure. */
export function buildImage(engine: Engine, tag = IMAGE): void {
  const args = ['build', ...(engine.command === 'podman' ? ['--network=host'] : []), '-t', tag, '.'];
  const res = spawnSync(engine.command, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
  if (res.status !== 0) throw new Error(`${engine.command} ${args.join(' ')} failed (exit ${res.status ?? res.signal}).`);
}

/** The image's size in bytes, as the engine reports it. */
export function imageSize(engine: Engine, tag = IMAGE): number {
  const res = spawnSync(engine.command, ['image', 'inspect', '--format', '{{.Size}}', tag], { encoding: 'utf8' });
  return Number(res.stdout.trim());
}
