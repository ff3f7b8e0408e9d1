/**
 * Writes the latest full run of `npm run bench` into docs/performance.md,
 * between its `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` markers: the
 * figures table and the CPU profile's top entries. The prose around them is
 * the project's own.
 */
import fs from 'node:fs';
import path from 'node:path';

import type { ProfileTop } from './profile';

const DOC = path.join(__dirname, '..', 'docs', 'performance.md');

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(rows: string[][]): string {
  const [head, ...body] = rows;
  return [head, head.map(() => '---'), ...body].map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n');
}

export function profileMarkdown(p: ProfileTop): string {
  const rows = (entries: ProfileTop['functions']) => entries.map((e) => [`\`${e.name}\``, String(e.ms), `${(e.share * 100).toFixed(1)} %`]);
  return [
    `Busy (not idle) time sampled: ${p.busy_ms.toLocaleString('en')} ms.`,
    '',
    markdownTable([['function (self time)', 'ms', 'share'], ...rows(p.functions)]),
    '',
    markdownTable([['package or file (self time)', 'ms', 'share'], ...rows(p.places)]),
  ].join('\n');
}

/** Replaces each named section's content; a section without its markers is an error, so the doc cannot silently go stale. */
export function writeSections(sections: Record<string, string>, file = DOC): void {
  let text = fs.readFileSync(file, 'utf8');
  for (const [name, content] of Object.entries(sections)) {
    const open = `<!-- bench:${name} -->`;
    const close = `<!-- /bench:${name} -->`;
    const from = text.indexOf(open);
    const to = text.indexOf(close);
    if (from < 0 || to < from) throw new Error(`${path.relative(process.cwd(), file)} has no ${open} … ${close} section`);
    text = `${text.slice(0, from + open.length)}\n${content}\n${text.slice(to)}`;
  }
  fs.writeFileSync(file, text);
}
