/**
 * Shared pieces of the end-to-end acceptance suite (test/acceptance): the CAT
 * file and the test_files it names, configs pointed at an in-process sandbox,
 * one bin/main process per connector call, and comparisons of what the
 * connector emitted with the sandbox's ground truth.
 */
import fs from 'node:fs';
import path from 'node:path';

import yaml from 'js-yaml';

import { TruthSnapshot, compareToTruth, describeDiff } from '../../scripts/truth-check';
import { ROOT, Run, lastStates, ofType, runConnector, traces, workDir } from './connector';
import { protocolValidator, streamSchemaValidator } from './protocol';
import { expectRecordsMatchDiscoveredSchemas } from './record-schemas';
import { ReadOptions, read as readWithFiles } from './guarantees';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
export type Rec = Record<string, unknown>;

// ---------------------------------------------------------------------------
// acceptance-test-config.yml and its test_files
// ---------------------------------------------------------------------------

export const CAT_FILE = path.join(ROOT, 'acceptance-test-config.yml');

export interface CatFile {
  connector_image: string;
  test_strictness_level?: string;
  acceptance_tests: Record<string, { tests?: Json[]; bypass_reason?: string }>;
}

export const cat: CatFile = yaml.load(fs.readFileSync(CAT_FILE, 'utf8')) as CatFile;

/** The tests of one CAT section (spec, connection, discovery, basic_read, full_refresh, incremental). */
export function catTests(section: string): Json[] {
  const tests = cat.acceptance_tests?.[section]?.tests;
  if (!Array.isArray(tests) || tests.length === 0) {
    throw new Error(`${CAT_FILE} has no tests under acceptance_tests.${section}`);
  }
  // At high strictness CAT's basic_read names no catalog: it reads every discovered stream in full
  // refresh, which is test_files/full_catalog.json (test/test-files.test.ts checks that it is).
  if (section === 'basic_read') {
    return tests.map((t) => ({ configured_catalog_path: 'test_files/full_catalog.json', ...t }));
  }
  return tests;
}

/**
 * The configured catalog a CAT test reads. At high strictness basic_read names
 * none (CAT reads the whole discovered catalog): that is test_files/full_catalog.json,
 * every stream in full refresh.
 */
export function catalogPathOf(test: Json): string {
  return test.configured_catalog_path ?? 'test_files/full_catalog.json';
}

/** A JSON file named by the CAT file, relative to the connector's root. */
export function readJson(relative: string): Json {
  return JSON.parse(fs.readFileSync(path.join(ROOT, relative), 'utf8'));
}

/** The catalog's view of one stream: name, primary key field, cursor field when read incrementally. */
export interface CatalogStream {
  name: string;
  pk: string;
  syncMode: 'full_refresh' | 'incremental';
  /** The cursor the stream declares (default_cursor_field), whatever its sync mode in this catalog. */
  cursor?: string;
}

export function catalogStreams(catalog: Json): CatalogStream[] {
  return catalog.streams.map((entry: Json) => {
    const pk = entry.primary_key ?? entry.stream.source_defined_primary_key;
    if (!Array.isArray(pk) || pk.length !== 1 || pk[0].length !== 1) {
      throw new Error(`stream ${entry.stream.name}: expected a single-field primary key, got ${JSON.stringify(pk)}`);
    }
    const cursor = entry.cursor_field?.[0] ?? entry.stream.default_cursor_field?.[0];
    return { name: entry.stream.name, pk: pk[0][0], syncMode: entry.sync_mode, cursor };
  });
}

/** A copy of a configured catalog restricted to some streams. */
export function subCatalog(catalog: Json, names: string[]): Json {
  return { ...catalog, streams: catalog.streams.filter((e: Json) => names.includes(e.stream.name)) };
}

// ---------------------------------------------------------------------------
// Running the connector against a sandbox
// ---------------------------------------------------------------------------

/**
 * A connector config for the given sandbox: `base` (a test_files config) with
 * base_url replaced, client-side pacing off unless `overrides` set it (the
 * connector's own default, 2 requests/s, would make every read crawl), and a
 * small backoff.
 */
export function configFor(sandboxUrl: string, overrides: Rec = {}, base = 'test_files/config.json'): Rec {
  return {
    ...readJson(base),
    base_url: sandboxUrl,
    rate_limit_capacity: 0,
    rate_limit_per_second: 0,
    backoff_factor: 0.05,
    ...overrides,
  };
}

export interface ReadInput {
  config: Rec;
  catalog: Json;
  /** A state as the platform would pass it (e.g. lastStates(run)); omitted for a first sync. */
  state?: Json;
  timeoutMs?: number;
}

/** Runs bin/main commands with their input files in a temp dir of their own. */
export class Connector {
  private readonly dir = workDir();
  private n = 0;

  private file(name: string, content: unknown): string {
    return this.dir.write(`${++this.n}-${name}`, content);
  }

  spec(): Promise<Run> {
    return runConnector(['spec'], { timeoutMs: 30_000 });
  }

  check(config: Rec): Promise<Run> {
    return runConnector(['check', '--config', this.file('config.json', config)], { timeoutMs: 60_000 });
  }

  discover(config: Rec): Promise<Run> {
    return runConnector(['discover', '--config', this.file('config.json', config)], { timeoutMs: 30_000 });
  }

  /** A read whose every record is checked against the schema discover gives its stream (it throws if one does not match). */
  async read({ config, catalog, state, timeoutMs }: ReadInput): Promise<Run> {
    const args = ['read', '--config', this.file('config.json', config), '--catalog', this.file('catalog.json', catalog)];
    if (state !== undefined) args.push('--state', this.file('state.json', state));
    const run = await runConnector(args, { timeoutMs: timeoutMs ?? 120_000 });
    await expectRecordsMatchDiscoveredSchemas(run, config);
    return run;
  }

  cleanup(): void {
    this.dir.cleanup();
  }
}

/** test/helpers/guarantees.ts's read, with every record checked against its discovered schema as Connector.read does. */
export async function read(config: Rec, opts: ReadOptions = {}): Promise<Run> {
  const run = await readWithFiles(config, opts);
  await expectRecordsMatchDiscoveredSchemas(run, config);
  return run;
}

// ---------------------------------------------------------------------------
// What a run emitted
// ---------------------------------------------------------------------------

/** The last lines of a run's output, for failure messages. */
export function describeRun(run: Run): string {
  const errors = traces(run, 'ERROR').map((t) => `  TRACE ERROR: ${t.error.message}`);
  const stderr = run.stderr.trim().split('\n').slice(-15).join('\n');
  return [`exit code ${run.code}${run.signal ? `, signal ${run.signal}` : ''}`, ...errors, stderr && `stderr:\n${stderr}`]
    .filter(Boolean)
    .join('\n');
}

/**
 * The run ended well: exit 0, no TRACE error, and every selected stream went
 * STARTED → COMPLETE. Failure messages say which stream failed and why.
 */
export function expectSuccessfulRead(run: Run, streams: string[]): void {
  const problems: string[] = [];
  if (run.code !== 0) problems.push(`the connector exited with ${run.code}`);
  for (const t of traces(run, 'ERROR')) problems.push(`TRACE ERROR: ${t.error.message}`);
  const statuses = new Map<string, string[]>();
  for (const t of traces(run, 'STREAM_STATUS')) {
    const name = t.stream_status.stream_descriptor.name;
    statuses.set(name, [...(statuses.get(name) ?? []), t.stream_status.status]);
  }
  for (const name of streams) {
    const seen = statuses.get(name) ?? [];
    if (seen[0] !== 'STARTED' || seen[seen.length - 1] !== 'COMPLETE') {
      problems.push(`stream ${name}: statuses ${JSON.stringify(seen)} (expected STARTED ... COMPLETE)`);
    }
  }
  if (problems.length) {
    throw new Error(`The read did not complete cleanly:\n  ${problems.join('\n  ')}\n${describeRun(run)}`);
  }
}

/** Records per stream, in emission order (data only: emitted_at is left out). */
export function recordsByStream(run: Run, names: string[]): Record<string, Rec[]> {
  const out: Record<string, Rec[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const m of run.messages) if (m.type === 'RECORD') (out[m.record.stream] ??= []).push(m.record.data);
  return out;
}

/** Every message that is not a valid AirbyteMessage (protocol yaml), with its first errors. */
export function invalidMessages(run: Run): Json[] {
  const validate = protocolValidator('AirbyteMessage');
  const invalid: Json[] = [];
  for (const m of run.messages as unknown[]) {
    const ok: boolean = validate(m);
    if (!ok) invalid.push({ message: JSON.stringify(m).slice(0, 200), errors: validate.errors?.slice(0, 3) });
  }
  return invalid;
}

/** Every record that its stream's JSON schema (resources/schemas) rejects, as one line each. */
export function schemaProblems(run: Run, streams: Array<{ name: string; pk: string }>): string[] {
  const problems: string[] = [];
  const byStream = recordsByStream(run, streams.map((s) => s.name));
  for (const s of streams) {
    const validate = streamSchemaValidator(s.name);
    for (const r of byStream[s.name] as unknown[]) {
      const ok: boolean = validate(r);
      if (!ok) problems.push(`${s.name} ${JSON.stringify((r as Rec)[s.pk])}: ${JSON.stringify(validate.errors?.slice(0, 2))}`);
    }
  }
  return problems;
}

/** The stream_state of the last STATE message of every stream (platform form → {stream: state}). */
export function finalStates(run: Run): Record<string, Rec> {
  return Object.fromEntries(lastStates(run).map((m) => [m.stream.stream_descriptor.name, m.stream.stream_state]));
}

/** Every STATE message's stream_state, per stream, in order. */
export function stateSequence(run: Run): Record<string, Rec[]> {
  const out: Record<string, Rec[]> = {};
  for (const m of ofType(run, 'STATE')) {
    const name = m.state.stream.stream_descriptor.name;
    (out[name] ??= []).push(m.state.stream.stream_state);
  }
  return out;
}

/** A cursor value as an instant in ms (ISO 8601 or RFC 2822), NaN if it is neither. */
export const instant = (value: unknown): number => (typeof value === 'string' ? Date.parse(value) : NaN);

// ---------------------------------------------------------------------------
// Ground truth
// ---------------------------------------------------------------------------

export { compareToTruth, describeDiff, truthOf } from '../../scripts/truth-check';
export type { TruthDiff, TruthSnapshot } from '../../scripts/truth-check';

/**
 * Asserts that, for every stream, the records equal the truth (the one
 * comparison of scripts/truth-check.ts: by key and content, plus product_id on
 * children and the derived fields of the vendor form; missing, extra,
 * duplicates and changed all 0). The failure message lists every stream that differs.
 */
export function expectMatchesTruth(
  emitted: Record<string, Rec[]>,
  truth: TruthSnapshot,
  streams: Array<{ name: string }>,
  what = 'the records emitted',
  options: { merge?: boolean } = {}
): void {
  const problems: string[] = [];
  for (const { name } of streams) {
    const mine = emitted[name] ?? [];
    problems.push(...describeDiff(name, compareToTruth(name, mine, truth, options)).map((l, i) => (i ? l : `${l} emitted ${mine.length}, truth ${truth.streams[name]?.length}`)));
  }
  if (problems.length) {
    throw new Error(`${what} differ from the sandbox's truth:\n${problems.join('\n')}`);
  }
}

const keyString = (record: Rec, pk: string): string => JSON.stringify(record[pk] ?? null);

/** What an append_dedup destination keeps after several syncs: the last record per primary key. */
export function mergeByKey(batches: Rec[][], pk: string): Rec[] {
  const merged = new Map<string, Rec>();
  for (const batch of batches) for (const record of batch) merged.set(keyString(record, pk), record);
  return [...merged.values()];
}

/** A record as canonical JSON (sorted keys), to compare runs whatever the field order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v
  );
}
