import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/**
 * The sync runs the connector as Airbyte would, from lib/: build it when a source file is newer than the
 * build (or there is none). Building on every run cost about 3 s for nothing when nothing had changed.
 */
export function ensureBuilt(log: (line: string) => void): void {
  const built = mtime(path.join(ROOT, 'lib', 'index.js'));
  const sources = [path.join(ROOT, 'tsconfig.json'), ...tsFiles(path.join(ROOT, 'src'))];
  const changed = sources.find((file) => built === undefined || (mtime(file) ?? 0) > built);
  if (!changed) return;
  log(`[sync] building the connector (${built === undefined ? 'lib/ is missing' : `${path.relative(ROOT, changed)} changed`})`);
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

function mtime(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function tsFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}
