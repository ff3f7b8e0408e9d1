/**
 * The image's runtime layer, reproduced without a Docker engine.
 *
 * The Dockerfile's last stage is read instruction by instruction: its COPY
 * lines decide what goes into a fresh temporary directory (a `--from=<stage>`
 * source is taken from this checkout, already built by `npm test`, at the same
 * place relative to that stage's WORKDIR), the production dependencies are
 * installed there with `npm ci --omit=dev`, and the launcher is run from there.
 * What the image would hold is thus exactly what this test runs, so a COPY
 * that is missing, misplaced or too broad fails here.
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import yaml from 'js-yaml';

const ROOT = path.resolve(__dirname, '..');
const DOCKERFILE = path.join(ROOT, 'Dockerfile');
const DOCKERIGNORE = path.join(ROOT, '.dockerignore');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));

// ---------------------------------------------------------------- Dockerfile

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  image: string;
  name?: string;
  workdir: string;
  instructions: Instruction[];
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buffer = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (buffer === '' && (line === '' || line.startsWith('#'))) return;
    if (buffer !== '' && line.startsWith('#')) return; // comments inside a continuation
    if (buffer === '') start = i + 1;
    if (line.endsWith('\\')) {
      buffer += line.slice(0, -1) + ' ';
      return;
    }
    buffer += line;
    const match = /^(\S+)\s*(.*)$/s.exec(buffer.trim())!;
    out.push({ keyword: match[1].toUpperCase(), args: match[2].trim(), line: start });
    buffer = '';
  });
  return out;
}

function stages(text: string): Stage[] {
  const all: Stage[] = [];
  for (const ins of instructions(text)) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      all.push({ image: words[0], name: as >= 0 ? words[as + 1] : undefined, workdir: '/', instructions: [] });
      continue;
    }
    const stage = all[all.length - 1];
    if (!stage) throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} before any FROM`);
    if (ins.keyword === 'WORKDIR') stage.workdir = path.posix.resolve(stage.workdir, ins.args);
    stage.instructions.push(ins);
  }
  return all;
}

/** Words of a shell-form argument list, honouring double and single quotes. */
function words(args: string): string[] {
  if (args.startsWith('[')) return JSON.parse(args);
  return [...args.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** key=value pairs of LABEL and ENV (and the legacy `ENV KEY value` form). */
function pairs(ins: Instruction): Record<string, string> {
  const w = words(ins.args);
  if (ins.keyword === 'ENV' && w.length >= 2 && !w[0].includes('=')) {
    return { [w[0]]: ins.args.slice(ins.args.indexOf(w[0]) + w[0].length).trim().replace(/^"(.*)"$/, '$1') };
  }
  const out: Record<string, string> = {};
  for (const word of w) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new Error(`Dockerfile line ${ins.line}: cannot read ${ins.keyword} ${ins.args}`);
    out[word.slice(0, eq)] = word.slice(eq + 1).replace(/^"(.*)"$/, '$1');
  }
  return out;
}

function collect(stage: Stage, keyword: 'LABEL' | 'ENV'): Record<string, string> {
  return Object.assign({}, ...stage.instructions.filter((i) => i.keyword === keyword).map(pairs));
}

interface Copy {
  /** Absolute path on this machine: the checkout (build context or built output). */
  from: string;
  /** Path inside the image, relative to the runtime stage's WORKDIR. */
  to: string;
  /** Path relative to the build context, for COPY lines that read the context. */
  contextPath?: string;
}

/** What the runtime stage's COPY lines put where, mapped onto this checkout. */
function runtimeCopies(all: Stage[]): Copy[] {
  const runtime = all[all.length - 1];
  const copies: Copy[] = [];
  for (const ins of runtime.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
    expect(ins.keyword).toBe('COPY'); // ADD may fetch or unpack: not reproducible here
    const w = words(ins.args);
    const flags = w.filter((x) => x.startsWith('--'));
    const rest = w.filter((x) => !x.startsWith('--'));
    const fromFlag = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
    const dest = rest.pop()!;
    expect(rest.length).toBeGreaterThan(0);
    let baseOf: (src: string) => { abs: string; context?: string };
    if (fromFlag === undefined) {
      baseOf = (src) => {
        const rel = path.posix.normalize(src).replace(/^\/+/, '');
        return { abs: path.join(ROOT, rel), context: rel };
      };
    } else {
      const source = all.find((s, i) => s.name === fromFlag || String(i) === fromFlag);
      if (!source) throw new Error(`Dockerfile line ${ins.line}: COPY --from=${fromFlag} names no stage of this Dockerfile`);
      baseOf = (src) => {
        // The build stage mirrors the checkout under its WORKDIR.
        const rel = path.posix.relative(source.workdir, path.posix.resolve(source.workdir, src));
        if (rel.startsWith('..')) throw new Error(`Dockerfile line ${ins.line}: ${src} is outside stage '${fromFlag}''s WORKDIR`);
        return { abs: path.join(ROOT, rel) };
      };
    }
    const destAbs = path.posix.resolve(runtime.workdir, dest);
    const destRel = path.posix.relative(runtime.workdir, destAbs);
    if (destRel.startsWith('..')) throw new Error(`Dockerfile line ${ins.line}: ${dest} is outside the runtime WORKDIR`);
    const intoDir = dest.endsWith('/') || rest.length > 1;
    for (const src of rest) {
      expect(src).not.toMatch(/[*?[]/); // wildcards: keep one explicit source per path
      const { abs, context } = baseOf(src);
      if (!fs.existsSync(abs)) throw new Error(`Dockerfile line ${ins.line}: ${src} does not exist in the built checkout (${abs})`);
      // A directory's contents go to dest; a file goes to dest, or into it when dest is a directory.
      const to = fs.statSync(abs).isFile() && intoDir ? path.posix.join(destRel, path.basename(abs)) : destRel;
      copies.push({ from: abs, to: to === '' ? '.' : to, contextPath: context });
    }
  }
  return copies;
}

/** Docker's .dockerignore matching, enough for plain and `*` patterns (last match wins). */
function ignoredBy(patterns: string[]): (rel: string) => boolean {
  const rules = patterns
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith('#'))
    .map((p) => {
      const negate = p.startsWith('!');
      const glob = path.posix.normalize((negate ? p.slice(1) : p).replace(/^\/+/, ''));
      const source = glob
        .split(/(\*\*|\*|\?)/)
        .map((part) =>
          part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')
        )
        .join('');
      return { negate, re: new RegExp(`^${source}$`) };
    });
  return (rel) => {
    const parts = path.posix.normalize(rel).split('/');
    // A path is excluded when it, or one of its parent directories, is.
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const rule of rules) if (prefixes.some((p) => rule.re.test(p))) ignored = !rule.negate;
    return ignored;
  };
}

// ---------------------------------------------------------------- helpers

function run(command: string, args: string[], cwd: string, timeoutMs: number): SpawnSyncReturns<string> {
  const env = { ...process.env };
  delete env.NODE_PATH; // resolve modules from the copy only, never from this checkout
  delete env.NODE_OPTIONS;
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return result;
}

function describeRun(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

/** Top-level packages of a node_modules folder, scoped ones as @scope/name. */
function topLevelPackages(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).flatMap((entry) => {
    if (entry.startsWith('.')) return [];
    if (entry.startsWith('@')) return fs.readdirSync(path.join(dir, entry)).map((sub) => `${entry}/${sub}`);
    return [entry];
  });
}

// ---------------------------------------------------------------- tests

jest.setTimeout(300_000);

describe('Dockerfile', () => {
  const text = fs.readFileSync(DOCKERFILE, 'utf8');
  const all = stages(text);
  const runtime = all[all.length - 1];

  it('is multi-stage on an official Node 20 image, pinned by tag', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const stage of all) {
      const image = stage.image.startsWith('--') ? '' : stage.image;
      if (all.some((s) => s.name === image)) continue; // FROM an earlier stage
      expect(image).toMatch(/^(docker\.io\/(library\/)?)?node:20[\w.-]*$/);
      expect(image).not.toMatch(/:latest$/);
    }
    const build = all.slice(0, -1).flatMap((s) => s.instructions).filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(build.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(build.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
  });

  it('installs production dependencies only in the runtime stage', () => {
    const runs = runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b/.test(r) && /--omit[= ]dev\b/.test(r))).toBe(true);
    expect(runs.join('\n')).not.toMatch(/\bnpm (run build|install\b)/);
  });

  it('has the io.airbyte labels, AIRBYTE_ENTRYPOINT and an ENTRYPOINT equal to it', () => {
    const labels = collect(runtime, 'LABEL');
    expect(labels['io.airbyte.name']).toBe('ecommerce-source');
    expect(labels['io.airbyte.version']).toBe(pkg.version);

    const env = collect(runtime, 'ENV');
    const entry = env.AIRBYTE_ENTRYPOINT;
    expect(entry).toBeDefined();
    expect(path.posix.isAbsolute(entry)).toBe(true);

    const entrypoints = runtime.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
    expect(entrypoints).toHaveLength(1);
    expect(entrypoints[0].args.startsWith('[')).toBe(true); // exec form: signals reach the connector
    expect(JSON.parse(entrypoints[0].args).join(' ')).toBe(entry);

    // ...and it names the launcher the runtime stage copies.
    const launcher = path.posix.relative(runtime.workdir, entry);
    expect(runtimeCopies(all).some((c) => launcher === c.to || launcher.startsWith(`${c.to}/`))).toBe(true);
  });

  it("metadata.yaml agrees with the labels (CAT's test_image_labels), package.json and the spec's documentationUrl", () => {
    // CAT compares the built image's labels with metadata.yaml; this catches a drift before any build.
    const metadata = (yaml.load(fs.readFileSync(path.join(ROOT, 'metadata.yaml'), 'utf8')) as any).data;
    const labels = collect(runtime, 'LABEL');
    expect(labels['io.airbyte.name']).toBe(metadata.dockerRepository);
    expect(labels['io.airbyte.version']).toBe(metadata.dockerImageTag);
    expect(metadata.dockerImageTag).toBe(pkg.version);
    expect(metadata.connectorType).toBe('source');
    expect(metadata.definitionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'resources', 'spec.json'), 'utf8'));
    expect(spec.documentationUrl).toBe(metadata.documentationUrl);
  });

  it('runs as the unprivileged node user', () => {
    const users = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users[users.length - 1]).toBe('node');
  });

  it('.dockerignore keeps dev-only folders out of the build context, and nothing the build copies', () => {
    const ignored = ignoredBy(fs.readFileSync(DOCKERIGNORE, 'utf8').split(/\r?\n/));
    for (const dir of ['node_modules', 'lib', 'test', 'test_files', 'sandbox', 'bench', 'scripts', 'local-sync', '.git', '.cache', 'faros']) {
      expect([dir, ignored(dir)]).toEqual([dir, true]);
      expect([`${dir}/x.ts`, ignored(`${dir}/x.ts`)]).toEqual([`${dir}/x.ts`, true]);
    }
    const fromContext = all
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && !/--from=/.test(i.args))
      .flatMap((i) => words(i.args).filter((w) => !w.startsWith('--')).slice(0, -1));
    expect(fromContext.length).toBeGreaterThan(0);
    for (const src of fromContext) expect([src, ignored(path.posix.normalize(src))]).toEqual([src, false]);
  });
});

describe('runtime image layer (reproduced from the Dockerfile, without Docker)', () => {
  const all = stages(fs.readFileSync(DOCKERFILE, 'utf8'));
  const runtime = all[all.length - 1];
  let tmp: string;
  let launcher: string;

  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) {
      throw new Error('lib/index.js is missing: run `npm run build` first (`npm test` does).');
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ecommerce-source-image-'));
    for (const copy of runtimeCopies(all)) {
      fs.cpSync(copy.from, path.join(tmp, copy.to), { recursive: true, preserveTimestamps: true });
    }
    const install = run(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
      tmp,
      240_000
    );
    if (install.status !== 0) throw new Error(`npm ci --omit=dev failed in ${tmp}: ${describeRun(install)}`);
    const entry = collect(runtime, 'ENV').AIRBYTE_ENTRYPOINT;
    launcher = path.join(tmp, path.posix.relative(runtime.workdir, entry));
  });

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('holds the launcher, the compiled code and the resources, and no sources, tests, sandbox or benchmark', () => {
    expect(fs.statSync(launcher).mode & 0o111).not.toBe(0);
    expect(fs.existsSync(path.join(tmp, 'lib', 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'resources', 'spec.json'))).toBe(true);
    for (const devOnly of ['src', 'test', 'test_files', 'sandbox', 'bench', 'scripts', 'local-sync', '.git', 'tsconfig.json']) {
      expect([devOnly, fs.existsSync(path.join(tmp, devOnly))]).toEqual([devOnly, false]);
    }
  });

  it('carries neither the local sync nor DuckDB (a devDependency of `npm run sync` only)', () => {
    expect(fs.existsSync(path.join(ROOT, 'node_modules', '@duckdb', 'node-api'))).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'node_modules', '@duckdb'))).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'local-sync'))).toBe(false);
  });

  it('`spec` prints exactly one SPEC message, with the credentials marked airbyte_secret', () => {
    const result = run(launcher, ['spec'], tmp, 60_000);
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    const message = JSON.parse(lines[0]);
    expect(message.type).toBe('SPEC');
    const props = message.spec.connectionSpecification.properties;
    expect(props.api_key.airbyte_secret).toBe(true);
    expect(props.api_secret.airbyte_secret).toBe(true);
    expect(message.spec.connectionSpecification).toEqual(
      JSON.parse(fs.readFileSync(path.join(ROOT, 'resources', 'spec.json'), 'utf8')).connectionSpecification
    );
  });

  it('`discover` finds every stream schema inside the image layout', () => {
    const result = run(launcher, ['discover', '--config', path.join(ROOT, 'test_files', 'config.json')], tmp, 60_000);
    const lines = result.stdout.split('\n').filter((l) => l.trim() !== '');
    const catalog = lines.map((l) => JSON.parse(l)).find((m) => m.type === 'CATALOG');
    expect([result.status, catalog ? 'CATALOG' : describeRun(result)]).toEqual([0, 'CATALOG']);
    expect(catalog.catalog.streams).toHaveLength(14);
    for (const stream of catalog.catalog.streams) {
      expect([stream.name, Object.keys(stream.json_schema.properties ?? {}).length > 0]).toEqual([stream.name, true]);
    }
  });

  it('has no dev-only dependency in node_modules', () => {
    const installed = new Set(topLevelPackages(path.join(tmp, 'node_modules')));
    expect(installed.size).toBeGreaterThan(0);
    for (const dep of Object.keys(pkg.dependencies)) expect([dep, installed.has(dep)]).toEqual([dep, true]);

    // A devDependency is absent unless a production dependency needs it too: the
    // lockfile then does not flag it `dev` (e.g. typescript, a peer of
    // faros-js-client's ts-essentials; ajv and js-yaml, used by faros-airbyte-cdk).
    const sharedWithProduction: string[] = [];
    for (const dep of Object.keys(pkg.devDependencies)) {
      const entry = lock.packages[`node_modules/${dep}`];
      if (entry && entry.dev !== true) {
        sharedWithProduction.push(dep);
        continue;
      }
      expect([dep, installed.has(dep)]).toEqual([dep, false]);
    }
    // The test tooling itself must never be there.
    for (const tool of ['jest', 'ts-jest', 'tsx', '@types/jest']) {
      expect(sharedWithProduction).not.toContain(tool);
      expect([tool, installed.has(tool)]).toEqual([tool, false]);
    }
    // Nor anything the lockfile flags dev-only, devDependency or not.
    const devOnly = [...installed].filter((name) => lock.packages[`node_modules/${name}`]?.dev === true);
    expect(devOnly).toEqual([]);
  });
});
