/**
 * Running `npm run sync`'s script as its own process, and reading the DuckDB
 * file it wrote back as records, for comparison with the sandbox's truth.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';

import { EXTRA, SYNCED_AT, columnsOf } from '../../local-sync/columns';
import { TruthSnapshot } from '../../scripts/truth-check';
import { ROOT } from './connector';

type Rec = Record<string, unknown>;

export interface SyncRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * `node --import tsx local-sync/cli.ts` is what `npm run sync` runs after its build (one process, so a
 * SIGKILL hits it and not a wrapper). It starts in its own process group: `killGroup` kills it and the
 * connector it spawned at once, as a crash of the machine would.
 */
export function runSync(
  args: string[],
  opts: { viaNpm?: boolean; onStderr?: (text: string, killGroup: () => void) => void; timeoutMs?: number } = {}
): Promise<SyncRun> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = opts.viaNpm
      ? spawn('npm', ['run', '--silent', 'sync', '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      : spawn(process.execPath, ['--import', 'tsx', path.join('local-sync', 'cli.ts'), ...args], {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(killGroup, opts.timeoutMs ?? 240_000);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      opts.onStderr?.(stderr, killGroup);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs SQL on a DuckDB file (the sync must not be running), returning rows as JS values. */
export async function query(file: string, sql: string): Promise<Rec[]> {
  const instance = await DuckDBInstance.create(file);
  const db = await instance.connect();
  try {
    return (await db.runAndReadAll(sql)).getRowObjectsJS() as Rec[];
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

export const schemaOf = (stream: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'resources', 'schemas', `${stream}.json`), 'utf8'));

const dateTimeFields = (stream: string) =>
  Object.entries(schemaOf(stream).properties as Record<string, { format?: string }>)
    .filter(([, p]) => p.format === 'date-time')
    .map(([k]) => k);

/**
 * A table back as records: JSON columns parsed, numbers as numbers, instants
 * as ISO 8601 UTC, `_extra` fields put back, and NULL columns left out (a
 * table cannot tell a field sent as null from one not sent).
 */
export async function tableRecords(file: string, stream: string): Promise<Rec[]> {
  const columns = columnsOf(schemaOf(stream));
  const select = columns
    .map((c) => (c.type === 'TIMESTAMPTZ' ? `epoch_ms("${c.name}") AS "${c.name}"` : `"${c.name}"`))
    .concat(`"${EXTRA}"`, `"${SYNCED_AT}" IS NOT NULL AS synced`)
    .join(', ');
  const rows = await query(file, `SELECT ${select} FROM "${stream}"`);
  const mixed = new Map(
    Object.entries(schemaOf(stream).properties as Record<string, { type?: string | string[] }>)
      .map(([field, p]) => [field, (Array.isArray(p.type) ? p.type : [p.type]).filter((t): t is string => !!t && t !== 'null')] as const)
      .filter(([, types]) => types.length > 1 && types.includes('string'))
  );
  return rows.map((row) => {
    if (row.synced !== true) throw new Error(`${stream}: a row without ${SYNCED_AT}`);
    const record: Rec = {};
    for (const c of columns) {
      const v = row[c.name];
      if (v === null || v === undefined) continue;
      if (c.type === 'JSON') record[c.field] = JSON.parse(String(v));
      else if (c.type === 'VARCHAR' && mixed.has(c.field)) record[c.field] = fromMixedText(String(v), mixed.get(c.field)!);
      else if (c.type === 'TIMESTAMPTZ') record[c.field] = new Date(Number(v)).toISOString();
      else record[c.field] = typeof v === 'bigint' ? Number(v) : v;
    }
    if (row[EXTRA] !== null) Object.assign(record, JSON.parse(String(row[EXTRA])));
    for (const [k, v] of Object.entries(record)) if (v === null) delete record[k];
    return record;
  });
}

/**
 * A mixed union's column holds text as text and anything else as its JSON text (local-sync/columns.ts):
 * read back, JSON text of a type the union allows is that value. (A text that is itself such JSON, e.g.
 * the text "12" in ["string","integer"], reads back as the other type: the column cannot tell them apart.)
 */
function fromMixedText(text: string, types: readonly string[]): unknown {
  try {
    const value: unknown = JSON.parse(text);
    const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
    if (type !== 'string' && (types.includes(type) || (type === 'integer' && types.includes('number')))) return value;
  } catch {
    // plain text
  }
  return text;
}

/** The truth as a table holds it: top-level nulls left out, date-time fields as ISO 8601 with milliseconds (same instant). */
export function asTableTruth(truth: TruthSnapshot): TruthSnapshot {
  const out = structuredClone(truth);
  for (const [stream, records] of Object.entries(out.streams)) {
    const times = dateTimeFields(stream);
    out.streams[stream] = records.map((r) => {
      const copy: Rec = {};
      for (const [k, v] of Object.entries(r)) {
        if (v === null || v === undefined) continue;
        copy[k] = times.includes(k) && typeof v === 'string' ? new Date(v).toISOString() : v;
      }
      return copy;
    });
  }
  return out;
}
