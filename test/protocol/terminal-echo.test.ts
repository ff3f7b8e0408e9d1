/**
 * By hand, with stdout redirected to a file and stderr on a terminal, the lines meant for people reach the
 * terminal too; without a terminal on stderr (a platform, a container) stderr stays silent and stdout is the
 * same protocol stream either way. The terminal is a real pseudo-terminal, from util-linux's `script`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { Sandbox } from '../../sandbox/types';
import { catalogFor, MAIN, runConnector } from '../helpers/connector';
import { Resources } from '../helpers/guarantees';

jest.setTimeout(60_000);

const res = new Resources();
const files = res.dir();
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await res.sandbox();
});
afterAll(() => res.closeAll());

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs bin/main with stderr on a pseudo-terminal and stdout into a file: what the terminal showed, and the file. */
async function byHand(args: string[]): Promise<{ terminal: string; stdout: string }> {
  const out = path.join(files.dir, `out-${Math.random()}.jsonl`);
  const command = `${quote(process.execPath)} ${quote(MAIN)} ${args.map(quote).join(' ')} > ${quote(out)}`;
  const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], { timeout: 50_000 }).catch((e) => e);
  return { terminal: String(stdout).replace(/\r\n/g, '\n'), stdout: fs.readFileSync(out, 'utf8') };
}

const catalog = () => files.write('catalog.json', catalogFor([{ name: 'countries', pk: 'id' }], 'full_refresh'));

describe('a by-hand read with stdout redirected', () => {
  it('shows warnings, progress and a closing summary on the terminal; the file gets the protocol messages alone', async () => {
    const config = files.write('config.json', { api_key: 'demo_key', api_secret: 'demo_secret', base_url: sandbox.url, pagesize: 5 });
    const run = await byHand(['read', '--config', config, '--catalog', catalog()]);
    const lines = run.terminal.split('\n');
    expect(lines).toContain("WARN Config key 'pagesize' is not a field of this connector and is ignored; did you mean 'page_size'?");
    expect(lines.filter((l) => l.startsWith("INFO Stream 'countries' finished: "))).toHaveLength(1);
    expect(lines).toContain('INFO Read finished: 1 stream complete.');
    expect(lines.filter((l) => l.startsWith(`INFO Reading 1 stream from ${sandbox.url} (`))).toHaveLength(1);
    const messages = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(messages.filter((m) => m.type === 'RECORD').length).toBe(sandbox.truth().countries.length);
  });

  it('shows the error of a wrong secret on the terminal', async () => {
    const config = files.write('wrong.json', { api_key: 'demo_key', api_secret: 'not-the-secret', base_url: sandbox.url });
    const run = await byHand(['read', '--config', config, '--catalog', catalog()]);
    expect(run.terminal).toMatch(/^ERROR The API rejected the credentials \(HTTP 401\)/m);
    expect(run.terminal).toMatch(/^INFO Read finished with errors/m);
    expect(run.stdout).toMatch(/"failure_type":"config_error"/);
  });

  it('without a terminal on stderr (a platform, a container) writes nothing to stderr', async () => {
    const config = files.write('quiet.json', { api_key: 'demo_key', api_secret: 'demo_secret', base_url: sandbox.url, pagesize: 5 });
    const run = await runConnector(['read', '--config', config, '--catalog', catalog()], { timeoutMs: 50_000 });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.messages.some((m) => m.type === 'LOG' && /Read finished/.test(m.log.message))).toBe(true);
  });
});
