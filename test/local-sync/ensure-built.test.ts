/**
 * `npm run sync` builds the connector only when lib/ is older than a source file: a rerun with nothing
 * changed starts at once, an edit in src/ is still picked up.
 */
import fs from 'node:fs';
import path from 'node:path';

import { ROOT } from '../helpers/connector';
import { runSync } from '../helpers/local-sync';

jest.setTimeout(180_000);

const LIB = path.join(ROOT, 'lib', 'index.js');
const missingConfig = ['--config', path.join(ROOT, 'no-such-config.json')];

test('npm run sync skips the build when lib/ is up to date and builds when a source file is newer', async () => {
  // Whatever state lib/ is in now, the first run leaves it built.
  await runSync(missingConfig, { viaNpm: true });
  const builtAt = fs.statSync(LIB).mtimeMs;

  const fresh = await runSync(missingConfig, { viaNpm: true });
  expect(fresh.stderr).not.toMatch(/building/);
  expect(fresh.stderr).toMatch(/no-such-config\.json/); // it went on to the sync itself
  expect(fs.statSync(LIB).mtimeMs).toBe(builtAt);

  // lib/ an hour older than the sources: as after editing src/.
  const anHourAgo = new Date(Date.now() - 3600_000);
  fs.utimesSync(LIB, anHourAgo, anHourAgo);
  const stale = await runSync(missingConfig, { viaNpm: true });
  expect(stale.stderr).toMatch(/^\[sync\] building the connector \(.+ changed\)$/m);
  expect(fs.statSync(LIB).mtimeMs).toBeGreaterThan(anHourAgo.getTime() + 1000);
});
