/**
 * Where the connector's CPU goes: a V8 CPU profile (`node --cpu-prof`) of one
 * big-shop read, reduced to the functions and the packages (or project files)
 * with the most self time. Written to docs/performance.md by `npm run bench`.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  /** Share of the sampled time the process was not idle. */
  share: number;
}

export interface ProfileTop {
  busy_ms: number;
  functions: ProfileEntry[];
  places: ProfileEntry[];
}

/** `lib/http/client.js`, `axios`, `node:_http_client`, or V8's own entries such as `(garbage collector)`. */
function place(url: string, root: string): string {
  if (!url) return '';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const file = url.replace(/^file:\/\//, '');
  return file.startsWith(root) ? path.relative(root, file) : file;
}

export function profileTop(file: string, root: string, count = 12): ProfileTop {
  const profile: CpuProfile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id)!;
    const us = profile.timeDeltas[i] ?? 0;
    if (frame.functionName === '(idle)') return;
    busy += us;
    const where = place(frame.url, root);
    const fn = `${frame.functionName || '(anonymous)'}${where ? ` ${where}:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const p = where || frame.functionName;
    byPlace.set(p, (byPlace.get(p) ?? 0) + us);
  });
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: us / busy }));
  return { busy_ms: Math.round(busy / 1000), functions: top(byFunction), places: top(byPlace) };
}
