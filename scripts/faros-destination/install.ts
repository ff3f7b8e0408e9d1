/**
 * Faros' destination (`airbyte-faros-destination`, pinned by ./package.json and
 * ./package-lock.json) installed on demand into .cache/faros-destination: it
 * weighs about 190 MB, which neither the connector's `npm ci` nor its image
 * should carry. The Faros test and `npm run faros:destination` call this.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const PINNED = __dirname;
export const CACHE = path.join(ROOT, '.cache', 'faros-destination');
/** Entry point of the installed destination (the package itself has no bin). */
export const DESTINATION_MAIN = path.join(PINNED, 'main.js');

const LOCK = 'package-lock.json';
const same = (a: string, b: string) => fs.existsSync(a) && fs.existsSync(b) && fs.readFileSync(a).equals(fs.readFileSync(b));

/** True when the cache holds exactly the pinned lock file, installed. */
export function isInstalled(): boolean {
  return (
    same(path.join(PINNED, LOCK), path.join(CACHE, LOCK)) &&
    fs.existsSync(path.join(CACHE, 'node_modules', 'airbyte-faros-destination', 'package.json'))
  );
}

/** Installs the pinned destination unless it already is; returns the version installed. */
export function ensureInstalled(log: (line: string) => void = () => undefined): string {
  if (!isInstalled()) {
    log(`Installing airbyte-faros-destination into ${path.relative(ROOT, CACHE)} (about 190 MB, once)...`);
    fs.rmSync(CACHE, { recursive: true, force: true });
    fs.mkdirSync(CACHE, { recursive: true });
    for (const file of ['package.json', LOCK]) fs.copyFileSync(path.join(PINNED, file), path.join(CACHE, file));
    // No install scripts: the destination needs none, and the cache should run nothing at install time.
    const npm = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: CACHE,
      encoding: 'utf8',
      shell: process.platform === 'win32',
    });
    if (npm.status !== 0) {
      // A failed install must not pass for an installed one next time.
      fs.rmSync(path.join(CACHE, LOCK), { force: true });
      throw new Error(`npm ci for the Faros destination failed (exit ${npm.status}):\n${npm.stderr}`);
    }
  }
  return installedVersion();
}

export function installedVersion(): string {
  const pkg = path.join(CACHE, 'node_modules', 'airbyte-faros-destination', 'package.json');
  return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
}

if (require.main === module) {
  const version = ensureInstalled((line) => console.error(line));
  console.log(`airbyte-faros-destination ${version}: node ${path.relative(process.cwd(), DESTINATION_MAIN)} <spec|check|write> ...`);
}
