/**
 * The one comparison of what the connector emitted with the sandbox's ground
 * truth, used by the acceptance tests, the guarantees, the demo and the
 * benchmark. Records are matched by key (the vendor's key where the connector
 * derives its own, e.g. shipping zones) and must equal the truth field by
 * field, plus exactly what the connector adds and nothing else:
 * - `product_id` on child records: the product the sandbox filed them under;
 * - `created_at_utc` / `updated_at_utc` where the API sent only `createdAt` |
 *   `created` / `updatedAt`: the same instant, as ISO 8601 UTC;
 * - `uuid` where the API sent none (vendor shipping zones): a UUID, one per record.
 */
import { isDeepStrictEqual } from 'node:util';

import { STREAM_ROW } from './streams';

type Rec = Record<string, unknown>;

/** The sandbox's truth at one moment: what it serves, and which product each child belongs to. */
export interface TruthSnapshot {
  streams: Record<string, Rec[]>;
  /** Per child stream, child id → product id. */
  parents: Record<string, Record<string, number>>;
  vendor: boolean;
}

/** A copy of the sandbox's truth now (truth() is live). */
export function truthOf(sandbox: {
  truth(): Record<string, Rec[]>;
  parents(): Record<string, Record<string, number>>;
  vendor: boolean;
}): TruthSnapshot {
  return structuredClone({ streams: sandbox.truth(), parents: sandbox.parents(), vendor: sandbox.vendor });
}

export interface Changed {
  key: string;
  emitted: Rec;
  truth: Rec;
  /** One line per field that differs. */
  fields: string[];
}

export interface TruthDiff {
  missing: string[];
  extra: string[];
  /** Keys emitted more than once (not counted when merging several syncs). */
  duplicates: string[];
  changed: Changed[];
}

export interface CompareOptions {
  /** Field that matches emitted records to truth records. */
  key: string;
  /** Several syncs: the last emitted version per key wins, as in an append_dedup destination. */
  merge?: boolean;
  /** Child id → product id: the truth record gains `product_id` (unless it has one). */
  parentOf?: Record<string, number>;
}

const DERIVED_TIMES: ReadonlyArray<[target: string, sources: string[]]> = [
  ['created_at_utc', ['createdAt', 'created']],
  ['updated_at_utc', ['updatedAt', 'updated']],
];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

const keyString = (record: Rec, key: string): string => JSON.stringify(record[key] ?? null);
/** JSON round trip: the truth as it would look on the wire (no undefined fields). */
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** The record the connector should emit for a truth record. */
function expectedOf(truth: Rec, parentOf?: Record<string, number>): Rec {
  const want = wire(truth);
  if (parentOf && want.product_id === undefined) want.product_id = parentOf[String(want.id)] ?? null;
  return want;
}

/** Why `got` is not `want` plus the connector's additions; empty when it is. */
function fieldProblems(got: Rec, want: Rec): string[] {
  const problems: string[] = [];
  const added = new Set(Object.keys(got).filter((k) => !(k in want)));
  for (const [target, sources] of DERIVED_TIMES) {
    if (target in want) continue;
    added.delete(target);
    const source = sources.find((s) => want[s] !== undefined && want[s] !== null);
    if (!source) {
      if (target in got && got[target] !== null) problems.push(`${target}: ${JSON.stringify(got[target])} added without a source field`);
      continue;
    }
    const value = got[target];
    if (typeof value !== 'string' || !ISO_UTC.test(value) || Date.parse(value) !== Date.parse(String(want[source]))) {
      problems.push(`${target}: ${JSON.stringify(value)}, expected the instant of ${source}=${JSON.stringify(want[source])} in ISO 8601 UTC`);
    }
  }
  // The cursor incremental reads derive for orders and customers (src/read/change-stamp.ts): an instant at or after the creation.
  if (added.has('changed_at_utc')) {
    added.delete('changed_at_utc');
    const created = ['created_at_utc', 'createdAt', 'created'].map((f) => want[f]).find((v) => v !== undefined && v !== null);
    const value = got.changed_at_utc;
    if (typeof value !== 'string' || !ISO_UTC.test(value) || (created !== undefined && !(Date.parse(value) >= Date.parse(String(created))))) {
      problems.push(`changed_at_utc: ${JSON.stringify(value)}, expected an ISO 8601 UTC instant at or after the creation ${JSON.stringify(created)}`);
    }
  }
  if (added.has('uuid')) {
    added.delete('uuid');
    if (typeof got.uuid !== 'string' || !UUID.test(got.uuid)) problems.push(`uuid: ${JSON.stringify(got.uuid)} is not a UUID`);
  }
  for (const field of added) problems.push(`${field}: ${JSON.stringify(got[field])} emitted, not in the truth`);
  for (const field of Object.keys(want)) {
    if (!isDeepStrictEqual(got[field], want[field])) {
      problems.push(`${field}: emitted ${JSON.stringify(got[field])}, truth ${JSON.stringify(want[field])}`);
    }
  }
  return problems;
}

/** The comparison itself, for one stream's records. */
export function compareRecords(emitted: Rec[], truth: Rec[], options: CompareOptions): TruthDiff {
  const { key, merge = false, parentOf } = options;
  const expected = new Map<string, Rec>();
  for (const t of truth) expected.set(keyString(t, key), expectedOf(t, parentOf));
  const last = new Map<string, Rec>();
  const diff: TruthDiff = { missing: [], extra: [], duplicates: [], changed: [] };
  for (const record of emitted) {
    const k = keyString(record, key);
    if (last.has(k) && !merge && !diff.duplicates.includes(k)) diff.duplicates.push(k);
    if (!last.has(k) || merge) last.set(k, record);
  }
  const uuids = new Map<unknown, string>();
  for (const [k, record] of last) {
    const want = expected.get(k);
    if (!want) {
      diff.extra.push(k);
      continue;
    }
    const fields = fieldProblems(record, want);
    if (!('uuid' in want) && typeof record.uuid === 'string') {
      const other = uuids.get(record.uuid);
      if (other !== undefined) fields.push(`uuid: ${record.uuid} also given to ${other}`);
      uuids.set(record.uuid, k);
    }
    if (fields.length) diff.changed.push({ key: k, emitted: record, truth: want, fields });
  }
  for (const k of expected.keys()) if (!last.has(k)) diff.missing.push(k);
  return diff;
}

/** One stream of the table against a truth snapshot. */
export function compareToTruth(stream: string, emitted: Rec[], truth: TruthSnapshot, options: { merge?: boolean } = {}): TruthDiff {
  const row = STREAM_ROW[stream];
  if (!row) throw new Error(`compareToTruth: unknown stream ${stream}`);
  const records = truth.streams[stream];
  if (!records) throw new Error(`compareToTruth: the truth has no stream ${stream}`);
  return compareRecords(emitted, records, {
    key: truth.vendor ? (row.vendorKey ?? row.pk) : row.pk,
    merge: options.merge,
    parentOf: row.parent ? truth.parents[stream] : undefined,
  });
}

export function isClean(d: TruthDiff): boolean {
  return !d.missing.length && !d.extra.length && !d.duplicates.length && !d.changed.length;
}

const sample = (keys: string[]) => `${keys.slice(0, 8).join(', ')}${keys.length > 8 ? `, ... (${keys.length} in all)` : ''}`;

/** One line per kind of problem, naming the stream, counts, a few keys and the first differing fields; empty when clean. */
export function describeDiff(stream: string, diff: TruthDiff): string[] {
  if (isClean(diff)) return [];
  const lines = [`${stream}:`];
  if (diff.missing.length) lines.push(`  missing ${diff.missing.length}: ${sample(diff.missing)}`);
  if (diff.extra.length) lines.push(`  extra ${diff.extra.length}: ${sample(diff.extra)}`);
  if (diff.duplicates.length) lines.push(`  duplicates ${diff.duplicates.length}: ${sample(diff.duplicates)}`);
  if (diff.changed.length) {
    lines.push(`  changed ${diff.changed.length}: ${sample(diff.changed.map((c) => c.key))}`);
    for (const f of diff.changed[0].fields.slice(0, 5)) lines.push(`    key ${diff.changed[0].key} ${f}`);
  }
  return lines;
}
