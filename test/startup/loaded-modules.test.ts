/**
 * Start-up: each command loads only what it uses (src/source.ts, src/runner.ts,
 * src/streams/kit-stream-base.ts). Airbyte starts a fresh process for every spec, check,
 * discover and read, so whatever a command loads is paid on every platform
 * action. bin/main runs as a separate process with a preload that records every
 * module it loaded; the time and memory this saves are measured by the bench
 * (`npm run bench`, start-up scenario), not here.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { Sandbox, startSandbox } from '../../sandbox/server';
import { Run, ROOT, records, runConnector, workDir } from '../helpers/connector';
import { configFor } from '../helpers/acceptance';

jest.setTimeout(60_000);

const RECORDER = path.join(__dirname, 'record-loaded-modules.js');
const dir = workDir();
afterAll(() => dir.cleanup());

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ rateLimitCapacity: 0 });
});
afterAll(() => sandbox?.close());

/** Runs bin/main with the recorder; resolves to its run and the JavaScript files it ran, as paths relative to the repo. */
async function loadedBy(args: string[]): Promise<{ run: Run; modules: string[] }> {
  const list = path.join(dir.dir, `modules-${args[0]}-${Math.random().toString(36).slice(2)}.txt`);
  const run = await runConnector(args, { env: { NODE_OPTIONS: `--require ${RECORDER}`, LOADED_MODULES_FILE: list } });
  const modules = fs.readFileSync(list, 'utf8').split('\n').map((file) => path.relative(ROOT, file));
  return { run, modules };
}

/** The packages among the loaded modules (node_modules/<name>/...). */
const packages = (modules: string[]) =>
  new Set(modules.flatMap((m) => m.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? []));

/** The connector's own modules among them (lib/...). */
const own = (modules: string[]) => new Set(modules.filter((m) => m.startsWith('lib/')));

/** What the read path is: the read loop, the stream classes, the HTTP stack. */
const READ_LOOP = ['lib/sync.js', 'lib/read/product-list.js', 'lib/read/pagination.js', 'lib/read/count-estimates.js', 'lib/read/cursor-filter.js'];
const STREAM_CLASSES = ['lib/streams/index.js', 'lib/streams/base.js', 'lib/streams/kit-stream-base.js'];
const HTTP_STACK = { own: ['lib/http/client.js', 'lib/http/rate-limiter.js'], packages: ['axios', 'axios-retry', 'limiter', 'p-limit'] };
/** Loaded by the kit for what this connector never calls: a date helper, pino (asPino), the wizard's prompts and tables. */
const NEVER = ['faros-js-client', 'enquirer', 'table', '@apidevtools/json-schema-ref-parser'];
/**
 * Loaded by a dependency for code no command runs: pino (the kit's logger, for asPino), axios's
 * form-data and HTTPS-proxy packages (src/http/axios.ts), and lodash and moment (the kit's stream base,
 * for its state helper and a default stream name); each is handed a stand-in until first use.
 */
const DEFERRED = ['pino', 'form-data', 'https-proxy-agent', 'es-set-tostringtag', 'mime-types', 'lodash', 'moment'];

function config(overrides = {}) {
  return dir.write(`config-${Math.random().toString(36).slice(2)}.json`, configFor(sandbox.url, overrides));
}

describe('modules each command loads (bin/main with a recording preload)', () => {
  it('spec loads neither the read path, the stream classes, the HTTP stack, nor faros-js-client', async () => {
    const { run, modules } = await loadedBy(['spec']);
    expect(run.code).toBe(0);
    expect(run.messages.map((m) => m.type)).toEqual(['SPEC']);
    expect(own(modules)).toContain('lib/runner.js'); // the recorder saw the connector load
    const loaded = [...own(modules), ...packages(modules)];
    expect(loaded.filter((m) => [...READ_LOOP, ...STREAM_CLASSES, ...HTTP_STACK.own, ...HTTP_STACK.packages, ...NEVER, ...DEFERRED].includes(m))).toEqual([]);
    // The kit by deep path: its index (which loads every module of the kit), its source runner and base
    // source, and its utils (which load lodash) stay unloaded.
    expect(modules.filter((m) => /faros-airbyte-cdk\/lib\/(index|utils|sources\/(source-runner|source-base))\.js$/.test(m))).toEqual([]);
    expect(packages(modules)).not.toContain('lodash');
  });

  it('discover loads the stream classes but not the read loop, the HTTP stack, or faros-js-client', async () => {
    const { run, modules } = await loadedBy(['discover', '--config', config()]);
    expect(run.code).toBe(0);
    expect(run.messages.find((m) => m.type === 'CATALOG')?.catalog.streams).toHaveLength(14);
    const loaded = [...own(modules), ...packages(modules)];
    expect(loaded).toEqual(expect.arrayContaining(STREAM_CLASSES));
    expect(loaded.filter((m) => ['lib/sync.js', 'lib/product-list.js', ...HTTP_STACK.own, ...HTTP_STACK.packages, ...NEVER, ...DEFERRED].includes(m))).toEqual([]);
  });

  it('check loads the HTTP stack but not the read loop, the stream classes, or faros-js-client', async () => {
    const { run, modules } = await loadedBy(['check', '--config', config()]);
    expect(run.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus.status).toBe('SUCCEEDED');
    const loaded = [...own(modules), ...packages(modules)];
    expect(loaded).toEqual(expect.arrayContaining([...HTTP_STACK.own, ...HTTP_STACK.packages]));
    expect(loaded.filter((m) => [...READ_LOOP, ...STREAM_CLASSES, ...NEVER, ...DEFERRED].includes(m))).toEqual([]);
  });

  it('read loads the read loop and the HTTP stack, still without faros-js-client, pino, form-data, https-proxy-agent, lodash or moment', async () => {
    const catalog = dir.write('catalog.json', {
      streams: [{ stream: { name: 'countries' }, sync_mode: 'full_refresh', destination_sync_mode: 'append' }],
    });
    const { run, modules } = await loadedBy(['read', '--config', config(), '--catalog', catalog]);
    expect(run.code).toBe(0);
    expect(records(run, 'countries')).toHaveLength(sandbox.truth().countries.length);
    const loaded = [...own(modules), ...packages(modules)];
    expect(loaded).toEqual(expect.arrayContaining([...READ_LOOP, ...STREAM_CLASSES, ...HTTP_STACK.own, ...HTTP_STACK.packages]));
    expect(loaded.filter((m) => [...NEVER, ...DEFERRED].includes(m))).toEqual([]);
  });
});

describe("faros-js-client, lodash and moment: the kit's stream base's, deferred", () => {
  it('load the first time the kit uses them, and the kit gets the real packages', () => {
    // The kit's calculateUpdatedStreamState is their one caller but the default name (faros-js-client's
    // Utils.toDate, lodash's isNil, moment); this connector never calls it.
    const script = `
      const { AirbyteStreamBase } = require('./lib/streams/kit-stream-base');
      const kit = require('faros-airbyte-cdk/lib/sources/streams/stream-base');
      // A package's entry in require.cache holds the stand-in (a proxy) until first use, then the package.
      const { isProxy } = require('node:util').types;
      const real = (p) => {
        const entry = require.cache[require.resolve(p, { paths: [require('node:path').dirname(require.resolve('faros-airbyte-cdk/lib/sources/streams/stream-base'))] })];
        return entry !== undefined && !isProxy(entry.exports);
      };
      const loaded = () => ({ client: real('faros-js-client'), lodash: real('lodash'), moment: real('moment') });
      const before = loaded();
      const state = kit.calculateUpdatedStreamState(new Date('2025-01-02T00:00:00Z'), { s: { cutoff: Date.parse('2025-01-01T00:00:00Z') } }, 's');
      const after = loaded();
      // The kit's default stream name, lodash's snakeCase of the class name.
      class OrderLineItems extends AirbyteStreamBase {}
      console.log(JSON.stringify({ base: AirbyteStreamBase === kit.AirbyteStreamBase, before, after, state, name: new OrderLineItems(undefined).name }));`;
    const out = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual({
      base: true,
      before: { client: false, lodash: false, moment: false },
      after: { client: true, lodash: true, moment: true },
      state: { s: { cutoff: Date.parse('2025-01-02T00:00:00Z') } },
      name: 'order_line_items',
    });
  });
});

describe('pino, form-data and https-proxy-agent, deferred', () => {
  /** Runs `script` in a fresh node (no jest module registry), after `setUp`; its stdout's lines parsed as JSON. */
  function inNode(setUp: string, script: string) {
    // A package is loaded once its own files follow its entry (the stand-in) in require.cache.
    const loaded = "(p) => Object.keys(require.cache).filter((f) => f.includes(`/node_modules/${p}/`)).length > 1";
    const out = spawnSync(process.execPath, ['-e', `${setUp}; const loaded = ${loaded}; ${script}`], { cwd: ROOT, encoding: 'utf8' });
    expect(out.stderr).toBe('');
    return out.stdout.trim().split('\n').map((line) => JSON.parse(line));
  }

  it("axios builds a form with the real form-data, loaded on axios's first use", () => {
    const result = inNode(
      "const axios = require('./lib/http/axios').default",
      `const before = loaded('form-data');
      const form = axios.toFormData({ a: '1' });
      const FormData = require(require.resolve('form-data', { paths: [require('node:path').dirname(require.resolve('axios'))] }));
      process.stdout.write(JSON.stringify({ before, after: loaded('form-data'), real: form instanceof FormData, field: form.getBuffer().toString().includes('name="a"') }) + '\\n');`
    );
    expect(result).toEqual([{ before: false, after: true, real: true, field: true }]);
  });

  it('axios makes an HTTPS proxy agent with the real https-proxy-agent, loaded on first use', () => {
    const result = inNode(
      "require('./lib/http/axios'); const path = require('node:path'); const from = path.dirname(require.resolve('axios'))",
      `const HttpsProxyAgent = require(require.resolve('https-proxy-agent', { paths: [from] }));
      const before = loaded('https-proxy-agent');
      const agent = new HttpsProxyAgent({ host: '127.0.0.1', port: 3128 });
      process.stdout.write(JSON.stringify({ before, after: loaded('https-proxy-agent'), real: agent instanceof HttpsProxyAgent, proto: Object.getPrototypeOf(agent).constructor.name }) + '\\n');`
    );
    expect(result).toEqual([{ before: false, after: true, real: true, proto: 'HttpsProxyAgent' }]);
  });

  it("the kit's asPino gets the real pino, loaded on first use", () => {
    const result = inNode(
      "const { AirbyteSourceLogger } = require('./lib/protocol/kit-logger')",
      `const before = loaded('pino');
      new AirbyteSourceLogger().asPino('info').info('hello'); // the kit writes it to stdout as a LOG message
      setTimeout(() => process.stdout.write(JSON.stringify({ before, after: loaded('pino') }) + '\\n'), 50);`
    );
    expect(result).toEqual([{ type: 'LOG', log: { level: 'INFO', message: 'hello' } }, { before: false, after: true }]);
  });
});
