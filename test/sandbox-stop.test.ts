/**
 * `npm run sandbox &` in a script, then `kill %1` as the docs' recipes do: the server goes with npm and
 * frees its port. (A script has no job control, so the signal reaches npm alone.)
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';

import { ROOT, workDir } from './helpers/connector';

jest.setTimeout(60_000);

const answers = (url: string) =>
  new Promise<boolean>((resolve) => {
    http.get(`${url}/v1/countries`, (res) => (res.resume(), resolve(true))).on('error', () => resolve(false));
  });

test('kill %1 after npm run sandbox & frees the port', async () => {
  const dir = workDir();
  const out = `${dir.dir}/sandbox.out`;
  const script = `
    npm run --silent sandbox -- --port 0 > ${out} 2>&1 &
    for i in $(seq 1 120); do grep -q listening ${out} && break; sleep 0.25; done
    grep -o 'http://[0-9.:]*' ${out}
    kill %1
  `;
  try {
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: ROOT });
    const url = stdout.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    let open = true;
    for (let i = 0; i < 40 && open; i++) {
      open = await answers(url);
      if (open) await new Promise((r) => setTimeout(r, 250));
    }
    expect(open).toBe(false);
  } finally {
    dir.cleanup();
  }
});
