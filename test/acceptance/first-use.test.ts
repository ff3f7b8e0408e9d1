/**
 * Issue 22 point 4: what a person trying the connector by hand meets — its version, warnings for a
 * config that would silently do something else than meant, the plain-http rule, and the state file
 * they have at hand (the STATE lines a read printed). bin/main runs as its own process throughout.
 */
import { execFileSync } from 'node:child_process';

import { MAIN, Run, lastStates, ofType, records } from '../helpers/connector';
import { Resources, errorTraces, logs, read, runWithFiles, testConfig } from '../helpers/guarantees';

jest.setTimeout(60_000);

const res = new Resources();
afterAll(() => res.closeAll());

const KEY = { api_key: 'demo_key', api_secret: 'demo_secret' };

describe('bin/main --version', () => {
  it("prints the connector's version from package.json, not the kit's", async () => {
    // Not a protocol message, so not through runConnector (which parses every line as one).
    const printed = execFileSync(process.execPath, [MAIN, '--version'], { encoding: 'utf8' }).trim();
    expect(printed).toBe(require('../../package.json').version);
    expect(printed).not.toContain(require('faros-airbyte-cdk/package.json').version);
  });
});

describe('config warnings', () => {
  const discover = (config: object, env?: Record<string, string>) => runWithFiles('discover', { config }, { env });

  it('discover goes on, with one WARN naming each unknown key and its likely field, and a future start_date', async () => {
    const run = await discover({ ...KEY, startDate: '2024-01-01', pagesize: 100, start_date: '2999-01-01' });
    expect(run.code).toBe(0);
    expect(ofType(run, 'CATALOG')).toHaveLength(1);
    expect(logs(run, 'WARN')).toEqual([
      "Config key 'startDate' is not a field of this connector and is ignored; did you mean 'start_date'?",
      "Config key 'pagesize' is not a field of this connector and is ignored; did you mean 'page_size'?",
      "Config field 'start_date' is 2999-01-01T00:00:00.000Z, in the future: the date-stamped streams will sync no records until then.",
    ]);
  });

  it('a correct config gives no warning', async () => {
    const run = await discover({ ...KEY, start_date: '2024-01-01', page_size: 100 });
    expect(run.code).toBe(0);
    expect(logs(run, 'WARN')).toEqual([]);
  });
});

describe('plain http', () => {
  const discover = (base_url: string, env?: Record<string, string>) => runWithFiles('discover', { config: { ...KEY, base_url } }, { env });

  it("is accepted for Docker's host and a private address, with a WARN naming the host", async () => {
    for (const url of ['http://host.docker.internal:8080', 'http://172.17.0.1:8080']) {
      const run = await discover(url, { DEPLOYMENT_MODE: 'CLOUD' });
      expect(run.code).toBe(0);
      expect(logs(run, 'WARN')).toEqual([expect.stringContaining(`unencrypted to ${new URL(url).hostname}`)]);
    }
  });

  it('is refused for a public host as a config_error, unless DEPLOYMENT_MODE says a self-managed deployment', async () => {
    const refused = await discover('http://api.example.com', { DEPLOYMENT_MODE: '' });
    expect(refused.code).toBe(1);
    expect(errorTraces(refused)).toEqual([
      expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(/must use https for the public host api\.example\.com/) }),
    ]);
    const oss = await discover('http://api.example.com', { DEPLOYMENT_MODE: 'OSS' });
    expect(oss.code).toBe(0);
    expect(logs(oss, 'WARN')).toEqual([expect.stringMatching(/public host api\.example\.com, allowed because DEPLOYMENT_MODE is OSS/)]);
  });

  it('a check against the sandbox over plain http to loopback succeeds without a warning', async () => {
    const sb = await res.sandbox();
    const run = await runWithFiles('check', { config: testConfig(sb.url) });
    expect(run.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus.status).toBe('SUCCEEDED');
    expect(logs(run, 'WARN')).toEqual([]);
  });
});

describe('a state file of the STATE lines a read printed', () => {
  it('continues the sync exactly as the per-stream list Airbyte sends', async () => {
    const sb = await res.sandbox();
    const config = testConfig(sb.url);
    const streams = ['orders', 'customers', 'pages'];
    const first = await read(config, { streams, mode: 'incremental' });
    expect(first.code).toBe(0);
    const stateLines = first.stdout.split('\n').filter((line) => line.startsWith('{"type":"STATE"'));
    expect(stateLines.length).toBeGreaterThanOrEqual(streams.length);

    const ids = (run: Run) => Object.fromEntries(streams.map((s) => [s, records(run, s).map((r) => r.id).sort((a, b) => a - b)]));
    const fromLines = await read(config, { streams, mode: 'incremental', state: stateLines.join('\n') + '\n' });
    const fromOneLine = await read(config, { streams: ['orders'], mode: 'incremental', state: stateLines.filter((l) => l.includes('"name":"orders"')).pop() });
    const fromList = await read(config, { streams, mode: 'incremental', state: lastStates(first) });
    for (const run of [fromLines, fromOneLine, fromList]) {
      expect(run.code).toBe(0);
      expect(errorTraces(run)).toEqual([]);
    }
    expect(ids(fromLines)).toEqual(ids(fromList));
    expect(ids(fromOneLine).orders).toEqual(ids(fromList).orders);
    // The state really cut the second sync: fewer records than the first one's.
    for (const s of streams) expect(ids(fromLines)[s].length).toBeLessThan(records(first, s).length);
  });
});
