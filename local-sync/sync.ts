/**
 * One sync: discover, then `read` with the stored state, writing what the
 * connector emits as a destination does. Records are buffered per stream;
 * a STATE commits the incremental streams' buffers together with that state
 * (the connector emits a STATE only after every record it covers), and a
 * full-refresh stream replaces its table only when its STREAM_STATUS is
 * COMPLETE. A run that dies keeps every commit before it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { STREAM_TABLE } from '../scripts/streams';
import { likelyMeant } from '../src/config/nearest-name';
import { columnsOf, rowOf } from './columns';
import { Connector, Message, connectorProcess } from './connector-process';
import { Progress, StreamReport, summaryTable } from './progress';
import { MergeCounts, StagedRecord, Store, SyncInputError, TableSpec } from './store';

/** Airbyte's CDC deletion field: a record whose value is set (non-null) says its key was deleted. */
export const DELETED_AT = '_ab_cdc_deleted_at';
/** The field by which a child stream's record names its parent (the connector reads children per parent). */
const PARENT_KEY: Record<string, string> = { products: 'product_id' };

export interface SyncOptions {
  config: string;
  db: string;
  streams?: string[];
  fullRefresh: boolean;
  /** Progress and messages (stderr by default); the summary goes to `out`. */
  err: (line: string) => void;
  out: (text: string) => void;
}

interface StreamRun {
  spec: TableSpec;
  mode: 'incremental' | 'full_refresh';
  /** Records since the last commit, in the order read; the commit dedups them by key and cursor. */
  buffer: StagedRecord[];
  pendingState?: unknown;
  status: string;
  counts: MergeCounts;
}

/** `connector` is the connector's own process (bin/main); it is a parameter so a test can add messages to its output. */
export async function sync(options: SyncOptions, connector: Connector = connectorProcess): Promise<number> {
  const secrets = readSecrets(options.config);
  const redact = (text: string) => secrets.reduce((t, s) => t.split(s).join('***'), text);
  const err = (line: string) => options.err(redact(line));

  const store = await Store.open(options.db);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ecommerce-sync-'));
  try {
    const catalog = await connector.discover(options.config);
    const known: any[] = catalog.streams;
    const unknown = (options.streams ?? []).filter((s) => !known.some((k) => k.name === s));
    if (unknown.length) {
      const names: string[] = known.map((k) => k.name);
      const meant = unknown.map((u) => likelyMeant(u, names)).filter(Boolean);
      throw new SyncInputError(
        `Unknown stream(s): ${unknown.join(', ')}${meant.length ? ` (did you mean ${meant.join(', ')}?)` : ''}. Streams: ${names.join(', ')}`
      );
    }
    const chosen = options.streams?.length ? known.filter((k) => options.streams!.includes(k.name)) : known;

    const runs = new Map<string, StreamRun>();
    for (const stream of chosen) {
      const incremental = !options.fullRefresh && stream.supported_sync_modes.includes('incremental');
      runs.set(stream.name, {
        spec: specOf(stream, known, incremental),
        mode: incremental ? 'incremental' : 'full_refresh',
        buffer: [],
        status: 'NOT STARTED',
        counts: { inserted: 0, updated: 0, deleted: 0 },
      });
    }
    for (const note of await store.prepare([...runs.values()].map((r) => r.spec))) err(`[sync] ${note}`);

    const configured = {
      streams: chosen.map((stream) => {
        const incremental = runs.get(stream.name)!.mode === 'incremental';
        // --full-refresh replaces the table but asks an incremental stream incrementally, without its state:
        // the same records as a full refresh, and a final STATE at the new position, saved with the table,
        // so the next plain sync goes on from there instead of reading everything again.
        const cursor = stream.supported_sync_modes.includes('incremental');
        return {
          stream,
          sync_mode: cursor ? 'incremental' : 'full_refresh',
          ...(cursor && { cursor_field: stream.default_cursor_field }),
          destination_sync_mode: incremental ? 'append_dedup' : 'overwrite',
          primary_key: stream.source_defined_primary_key,
        };
      }),
    };
    const catalogFile = path.join(tmp, 'catalog.json');
    fs.writeFileSync(catalogFile, JSON.stringify(configured));
    const args = ['read', '--config', options.config, '--catalog', catalogFile];
    const states = (await store.states()).filter((s: any) => runs.get(s.stream?.stream_descriptor?.name)?.mode === 'incremental');
    if (states.length) {
      const stateFile = path.join(tmp, 'state.json');
      fs.writeFileSync(stateFile, JSON.stringify(states));
      args.push('--state', stateFile);
    }
    err(`[sync] ${options.db}: ${runs.size} streams, ${states.length ? `incremental from the stored state of ${states.length}` : 'no stored state'}`);

    const progress = new Progress(err);
    const errors: string[] = [];
    const commit = async (which: StreamRun[], replace: boolean, committedStates: Array<{ stream: string; state: unknown }>) => {
      const writes = which.filter((r) => replace || r.buffer.length > 0).map((r) => ({ spec: r.spec, records: r.buffer, replace }));
      if (!writes.length && !committedStates.length) return;
      let counts: Map<string, MergeCounts>;
      try {
        counts = await store.commit(writes, committedStates);
      } catch (error) {
        const streams = writes.map((w) => w.spec.stream).join(', ');
        throw new SyncInputError(
          `Could not write ${streams || 'the state'} into ${options.db}: ${(error as Error).message.split('\n')[0]}. Everything committed before is kept.`
        );
      }
      for (const r of which) r.buffer = [];
      // A commit can delete rows of tables outside `which` (a deleted product's reviews).
      for (const r of runs.values()) {
        const c = counts.get(r.spec.stream);
        if (c) for (const k of ['inserted', 'updated', 'deleted'] as const) r.counts[k] += c[k];
      }
    };
    const incrementalRuns = () => [...runs.values()].filter((r) => r.mode === 'incremental');

    const onMessage = async (m: Message) => {
      if (m.type === 'RECORD') {
        const run = runs.get(m.record.stream);
        if (!run) return;
        const data = m.record.data as Record<string, unknown>;
        run.buffer.push({ row: rowOf(data, run.spec.columns), deleted: data[DELETED_AT] !== undefined && data[DELETED_AT] !== null });
        progress.record(run.spec.stream);
      } else if (m.type === 'STATE') {
        const name = m.state?.stream?.stream_descriptor?.name;
        const run = runs.get(name);
        if (!run) return;
        const state = { type: 'STREAM', stream: m.state.stream };
        if (run.mode === 'full_refresh') run.pendingState = state;
        else await commit(incrementalRuns(), false, [{ stream: name, state }]);
      } else if (m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS') {
        const run = runs.get(m.trace.stream_status.stream_descriptor.name);
        if (!run) return;
        const status = m.trace.stream_status.status;
        if (status === 'STARTED' || status === 'RUNNING') return progress.start(run.spec.stream);
        run.status = status;
        if (status === 'COMPLETE') {
          if (run.mode === 'full_refresh') {
            await commit([run], true, run.pendingState ? [{ stream: run.spec.stream, state: run.pendingState }] : []);
          } else {
            await commit([run], false, []);
          }
        } else if (run.mode === 'full_refresh') {
          run.buffer = []; // an incomplete full read must not replace the table
        }
        progress.done(run.spec.stream, status === 'COMPLETE' ? 'done' : status);
      } else if (m.type === 'TRACE' && m.trace.type === 'ERROR') {
        errors.push(m.trace.error.message);
        err(`[connector] error: ${m.trace.error.message}`);
      } else if (m.type === 'LOG' && ['ERROR', 'FATAL'].includes(m.log.level)) {
        err(`[connector] ${m.log.message}`);
      }
    };

    const exit = await connector.read(args, onMessage);
    // Records after the last STATE of a stream that did not complete: merging them is safe (same key, newest wins).
    await commit(incrementalRuns(), false, []);

    const reports: StreamReport[] = [];
    for (const run of runs.values()) {
      reports.push({
        stream: run.spec.stream,
        mode: run.mode,
        status: run.status,
        records: progress.count(run.spec.stream),
        rows: await store.rowCount(run.spec.stream),
        seconds: progress.seconds(run.spec.stream),
        ...run.counts,
      });
    }
    options.out(summaryTable(reports));
    const failed = reports.filter((r) => r.status !== 'COMPLETE');
    if (exit.code !== 0 || failed.length) {
      const why = exit.code !== 0 ? `the connector exited with ${exit.code ?? exit.signal}` : 'not every stream completed';
      err(`[sync] FAILED: ${why}${failed.length ? ` (${failed.map((r) => `${r.stream}: ${r.status}`).join(', ')})` : ''}.`);
      for (const line of exit.stderrTail) err(`[connector stderr] ${line}`);
      err(`[sync] ${options.db} keeps every row and state committed; the next sync continues from there.`);
      return 1;
    }
    options.out(`Synced ${reports.length} streams into ${options.db}.`);
    return 0;
  } finally {
    store.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The table of a discovered stream; its primary key must be top-level fields the schema declares.
 * Incremental: its cursor decides between versions of a key. A parent's deleted rows take the
 * rows of its child streams (`catalog`) that name it.
 */
function specOf(stream: any, catalog: any[], incremental: boolean): TableSpec {
  const columns = columnsOf(stream.json_schema);
  const column = (s: any, field: string) => columnsOf(s.json_schema).find((c) => c.field === field)?.name;
  const key: string[][] = stream.source_defined_primary_key ?? [];
  const primaryKey = key.map((p) => (p.length === 1 ? column(stream, p[0]) : undefined));
  if (!primaryKey.length || primaryKey.some((k) => k === undefined)) {
    throw new SyncInputError(`Stream ${stream.name} has no top-level primary key in its schema (${JSON.stringify(key)}); it cannot be merged.`);
  }
  const cursorField: string[] | undefined = stream.default_cursor_field;
  const cursor = incremental && cursorField?.length === 1 ? column(stream, cursorField[0]) : undefined;
  const parentKey = PARENT_KEY[stream.name];
  const cascade = STREAM_TABLE.filter((s) => parentKey && s.parent === stream.name).flatMap((s) => {
    const child = catalog.find((c) => c.name === s.name);
    const childColumn = child && column(child, parentKey);
    return childColumn ? [{ stream: s.name, column: childColumn }] : [];
  });
  return { stream: stream.name, columns, primaryKey: primaryKey as string[], cursor, cascade };
}

/** The values that must never be printed (whatever the config calls them: every string field named like a key or secret). */
function readSecrets(configFile: string): string[] {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  } catch (error) {
    throw new SyncInputError(`Cannot read the config ${configFile}: ${(error as Error).message.split('\n')[0]}`);
  }
  return Object.entries(config)
    .filter(([k, v]) => /key|secret|token|password/i.test(k) && typeof v === 'string' && v.length > 0)
    .map(([, v]) => v as string);
}
