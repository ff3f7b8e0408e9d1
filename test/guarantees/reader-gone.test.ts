/**
 * The reader of stdout goes away mid-read (`bin/main read | head`, a platform
 * that died): every later write fails with EPIPE and would never drain. The
 * connector must stop with a clear line on stderr instead of waiting forever.
 */
import { spawn } from 'node:child_process';

import { MAIN, ROOT, catalogFor, workDir } from '../helpers/connector';
import { ALL, Resources, STREAM, testConfig } from '../helpers/guarantees';

jest.setTimeout(60_000);

const res = new Resources();
afterEach(() => res.closeAll());

it('stops with exit code 1 and says why on stderr when the reader closes stdout mid-read', async () => {
  // Slow answers: the read is surely still going when the reader leaves after its first chunk.
  const sandbox = await res.sandbox({ latencyMs: 20 });
  const dir = workDir();
  try {
    const args = [
      'read',
      '--config',
      dir.write('config.json', testConfig(sandbox.url)),
      '--catalog',
      dir.write('catalog.json', catalogFor(ALL.map((n) => STREAM[n]), 'full_refresh')),
    ];
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let seen = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    // The reader leaves once records have started to arrive, as `| head` would.
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      seen += c;
      if (seen.includes('"type":"RECORD"')) child.stdout.destroy();
    });
    // Before the fix the process never ended here: jest's timeout failed the test.
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));

    expect(seen).toMatch(/"type":"RECORD"/);
    expect(code).toBe(1);
    expect(stderr).toMatch(/stdout was closed by its reader \(EPIPE\): nothing more can be delivered, stopping\./);
    expect(sandbox.counters().requests).toBeGreaterThan(0);
  } finally {
    dir.cleanup();
  }
});
