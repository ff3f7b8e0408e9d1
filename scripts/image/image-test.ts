/**
 * `npm run image:test`: builds the connector's image and runs it the way users
 * and platforms do (`docker run ... read --config ... --catalog ... --state ...`),
 * as the image's non-root user, against the sandbox on this host. Exits 0 only
 * when every check passed; exits 2 when no container engine can run here.
 *
 * Checks: the image's contents (non-root user, production dependencies only, no
 * sources, no npm cache), spec, check with a good and a bad secret, discover, a
 * full read of all 14 streams equal to the sandbox's truth, an incremental read
 * from a state file mounted read-only after a shop change (merged result equal
 * to the new truth), stdout holding protocol messages only, the secrets never
 * printed, and SIGTERM mid-sync: what was emitted is flushed and the container
 * exits promptly with 143; then the README's Docker section as written
 * (scripts/image/readme-docker.ts).
 *
 * `npm run image:test -- --only readme-docker --image TAG` runs that last part
 * alone, on an image already built as TAG.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import yaml from 'js-yaml';

import { startSandbox } from '../../sandbox/server';
import { lastStates, recordsOf } from '../run-connector';
import { STREAM_NAMES } from '../streams';
import { compareToTruth, describeDiff, isClean, truthOf } from '../truth-check';
import { Checks } from './checks';
import { buildImage, Engine, findEngine, IMAGE, imageSize, ROOT } from './engine';
import { readmeDockerSection } from './readme-docker';

const KEY = 'image_test_key';
const SECRET = 'image-test-s3cret';
const PROTOCOL_TYPES = new Set(['RECORD', 'STATE', 'LOG', 'SPEC', 'CONNECTION_STATUS', 'CATALOG', 'TRACE', 'CONTROL']);
/** The official protocol schema sits beside the checkout on this project's machines and in CI. */
const PROTOCOL_YAML = path.resolve(ROOT, '..', 'shared', 'airbyte-protocol', 'airbyte_protocol.yaml');
const isAirbyteMessage = (() => {
  if (!fs.existsSync(PROTOCOL_YAML)) return undefined;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(yaml.load(fs.readFileSync(PROTOCOL_YAML, 'utf8')) as object, 'protocol');
  return ajv.getSchema('protocol#/definitions/AirbyteMessage')!;
})();
/** Dev-only packages that must not be in the image (others listed in devDependencies are also needed at run time). */
const DEV_ONLY = ['jest', 'ts-jest', 'tsx', '@types/node', '@types/jest'];

interface Run {
  code: number | null;
  lines: string[];
  messages: Array<Record<string, any>>;
  stderr: string;
}

const checks = new Checks();
const check = (name: string, ok: boolean, detail: string): void => checks.check(name, ok, detail);

/** `engine run` of the image with /secrets mounted read-only; stdout parsed as protocol lines. */
function runImage(engine: Engine, secrets: string, args: string[], extra: string[] = []): Promise<Run> {
  const child = spawn(
    engine.command,
    ['run', '--rm', ...engine.hostNetwork, '-v', `${secrets}:/secrets:ro`, ...extra, IMAGE, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  );
  return collect(child);
}

function collect(child: ReturnType<typeof spawn>, onLine?: (line: string) => void): Promise<Run> {
  let out = '';
  let stderr = '';
  const lines: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    let nl;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line.trim()) {
        lines.push(line);
        onLine?.(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      if (out.trim()) lines.push(out); // an unterminated last line: parsed below, and fails the protocol check
      const messages: Array<Record<string, any>> = [];
      for (const line of lines) {
        try {
          messages.push(JSON.parse(line));
        } catch {
          messages.push({ type: 'NOT_JSON', line });
        }
      }
      resolve({ code, lines, messages, stderr });
    })
  );
}

function protocolOnly(name: string, run: Run): void {
  // Every line a valid AirbyteMessage per the official schema; where that file is absent, a known type at least.
  const bad = run.messages.filter((m) => !PROTOCOL_TYPES.has(m.type) || (isAirbyteMessage && !isAirbyteMessage(m)));
  const leaks = [...run.lines, run.stderr].filter((l) => l.includes(KEY) || l.includes(SECRET));
  check(`${name}: stdout is protocol messages only`, bad.length === 0, bad.length ? `not protocol: ${JSON.stringify(bad[0]).slice(0, 200)}` : `${run.lines.length} lines${isAirbyteMessage ? ', each a valid AirbyteMessage' : ` (${PROTOCOL_YAML} absent: types checked only)`}`);
  check(`${name}: no secret in stdout or stderr`, leaks.length === 0, leaks.length ? 'the key or secret was printed' : 'none');
}

function writeSecrets(dir: string, files: Record<string, unknown>): void {
  // The container runs as uid 1000 ("node"): the mounted files must be readable by it.
  fs.chmodSync(dir, 0o755);
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), JSON.stringify(content, null, 2));
    fs.chmodSync(path.join(dir, name), 0o644);
  }
}

function shell(engine: Engine, script: string): string {
  const res = spawnSync(engine.command, ['run', '--rm', '--entrypoint', 'sh', IMAGE, '-c', script], { encoding: 'utf8' });
  return (res.stdout + res.stderr).trim();
}

async function main(): Promise<number> {
  const engine = findEngine();
  if (engine instanceof Error) {
    console.error(`image:test: ${engine.message}`);
    return 2;
  }
  const { values: args } = parseArgs({ options: { only: { type: 'string' }, image: { type: 'string' } } });
  if (args.only !== undefined) {
    if (args.only !== 'readme-docker' || !args.image) throw new Error('usage: npm run image:test -- --only readme-docker --image TAG');
    await readmeDockerSection(engine, checks, args.image);
    return checks.close('image:test --only readme-docker');
  }
  console.error(`image:test: building ${IMAGE} with ${engine.command}`);
  let started = Date.now();
  buildImage(engine);
  const buildSeconds = (Date.now() - started) / 1000;
  const size = imageSize(engine);
  check('build', true, `${(buildSeconds).toFixed(0)} s, image ${(size / 1e6).toFixed(0)} MB`);

  // Contents of the image.
  const user = shell(engine, 'id -u');
  check('runs as a non-root user', user !== '' && user !== '0', `uid ${user}`);
  const devFound = shell(engine, DEV_ONLY.map((p) => `test -e node_modules/${p} && echo ${p};`).join(' ') + ' true');
  check('no dev-only dependencies', devFound === '', devFound ? `found: ${devFound.replace(/\n/g, ', ')}` : `none of ${DEV_ONLY.join(', ')}`);
  const extras = shell(engine, 'for p in src test sandbox bench scripts tsconfig.json /root/.npm /home/node/.npm; do test -e "$p" && echo "$p"; done; true');
  check('no sources, tests or npm cache', extras === '', extras ? `found: ${extras.replace(/\n/g, ', ')}` : 'none');

  const sandbox = await startSandbox({ rateLimitCapacity: 0, apiKey: KEY, apiSecret: SECRET });
  const secrets = fs.mkdtempSync(path.join(os.tmpdir(), 'image-test-'));
  try {
    const config = { api_key: KEY, api_secret: SECRET, base_url: sandbox.url, rate_limit_capacity: 0, backoff_factor: 0.05 };
    const catalog = (mode: 'full' | 'incremental') =>
      JSON.parse(fs.readFileSync(path.join(ROOT, 'test_files', `${mode === 'full' ? 'full' : 'incremental'}_catalog.json`), 'utf8'));
    writeSecrets(secrets, {
      'config.json': config,
      'bad_config.json': { ...config, api_secret: `${SECRET}-wrong` },
      'full_catalog.json': catalog('full'),
      'incremental_catalog.json': catalog('incremental'),
    });

    const spec = await runImage(engine, secrets, ['spec']);
    protocolOnly('spec', spec);
    check('spec', spec.code === 0 && spec.messages[0]?.type === 'SPEC', `exit ${spec.code}, ${spec.messages.map((m) => m.type).join(',')}`);

    const good = await runImage(engine, secrets, ['check', '--config', '/secrets/config.json']);
    protocolOnly('check', good);
    const goodStatus = good.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
    check('check, good secret', good.code === 0 && goodStatus?.status === 'SUCCEEDED', `exit ${good.code}, ${goodStatus?.status}: ${goodStatus?.message}`);

    const bad = await runImage(engine, secrets, ['check', '--config', '/secrets/bad_config.json']);
    protocolOnly('check (bad secret)', bad);
    const badStatus = bad.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
    check('check, bad secret', badStatus?.status === 'FAILED', `exit ${bad.code}, ${badStatus?.status}: ${badStatus?.message}`);

    const discover = await runImage(engine, secrets, ['discover', '--config', '/secrets/config.json']);
    protocolOnly('discover', discover);
    const names = (discover.messages.find((m) => m.type === 'CATALOG')?.catalog.streams ?? []).map((s: any) => s.name);
    check('discover', discover.code === 0 && names.join() === STREAM_NAMES.join(), `${names.length} streams`);

    // Full read of all 14 streams.
    const before = truthOf(sandbox);
    started = Date.now();
    const full = await runImage(engine, secrets, ['read', '--config', '/secrets/config.json', '--catalog', '/secrets/full_catalog.json']);
    const fullSeconds = (Date.now() - started) / 1000;
    protocolOnly('full read', full);
    const fullProblems = STREAM_NAMES.flatMap((s) => {
      const diff = compareToTruth(s, recordsOf(full, s), before);
      return isClean(diff) ? [] : describeDiff(s, diff);
    });
    const fullCount = full.messages.filter((m) => m.type === 'RECORD').length;
    check('full read equals the truth', full.code === 0 && fullProblems.length === 0, fullProblems.length ? fullProblems.slice(0, 5).join('; ') : `exit ${full.code}, ${fullCount} records, ${fullSeconds.toFixed(1)} s`);

    // Incremental read from a read-only state file, after a shop change.
    const inc1 = await runImage(engine, secrets, ['read', '--config', '/secrets/config.json', '--catalog', '/secrets/incremental_catalog.json']);
    const state = lastStates(inc1);
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-test-state-'));
    writeSecrets(stateDir, { 'state.json': state });
    sandbox.mutate({ op: 'touch_all' });
    const after = truthOf(sandbox);
    const inc2 = await runImage(
      engine,
      secrets,
      ['read', '--config', '/secrets/config.json', '--catalog', '/secrets/incremental_catalog.json', '--state', '/state/state.json'],
      ['-v', `${stateDir}:/state:ro`]
    );
    protocolOnly('incremental read', inc2);
    const incProblems = STREAM_NAMES.flatMap((s) => {
      const diff = compareToTruth(s, [...recordsOf(inc1, s), ...recordsOf(inc2, s)], after, { merge: true });
      return isClean(diff) ? [] : describeDiff(s, diff);
    });
    const inc2Count = inc2.messages.filter((m) => m.type === 'RECORD').length;
    check(
      'incremental read (state mounted read-only) merged equals the new truth',
      inc1.code === 0 && inc2.code === 0 && state.length > 0 && inc2Count < fullCount && incProblems.length === 0,
      incProblems.length ? incProblems.slice(0, 5).join('; ') : `${state.length} stream states, ${inc2Count} records (full: ${fullCount})`
    );
    fs.rmSync(stateDir, { recursive: true, force: true });

    // SIGTERM mid-sync: slow the shop down so that the sync is surely running.
    sandbox.updateSettings({ latencyMs: 200 });
    const name = `ecommerce-source-sigterm-${process.pid}`;
    const child = spawn(
      engine.command,
      ['run', '--rm', '--name', name, ...engine.hostNetwork, '-v', `${secrets}:/secrets:ro`, IMAGE, 'read', '--config', '/secrets/config.json', '--catalog', '/secrets/full_catalog.json'],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    );
    let signalledAt = 0;
    const term = collect(child, (line) => {
      if (!signalledAt && line.includes('"type":"RECORD"')) {
        signalledAt = Date.now();
        spawnSync(engine.command, ['kill', '--signal', 'TERM', name]);
      }
    });
    const cancelled = await term;
    const exitSeconds = (Date.now() - signalledAt) / 1000;
    sandbox.updateSettings({ latencyMs: 0 });
    protocolOnly('cancelled read', cancelled);
    const warned = cancelled.messages.some((m) => m.type === 'LOG' && /SIGTERM/.test(m.log.message));
    const complete = cancelled.messages.some((m) => m.type === 'TRACE' && m.trace.stream_status?.status === 'COMPLETE' && m.trace.stream_status.stream_descriptor.name === 'orders');
    check(
      'SIGTERM: flushes, says so, exits promptly with 143',
      signalledAt > 0 && cancelled.code === 143 && warned && !complete && exitSeconds < 10,
      `exit ${cancelled.code} ${exitSeconds.toFixed(1)} s after the signal, ${cancelled.messages.filter((m) => m.type === 'RECORD').length} records flushed, every line whole JSON`
    );
  } finally {
    fs.rmSync(secrets, { recursive: true, force: true });
    await sandbox.close();
  }

  await readmeDockerSection(engine, checks);
  return checks.close('image:test');
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`image:test: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
);
