/**
 * Compares what the connector emitted with the sandbox's ground truth, the way
 * an append_dedup destination would see it: records merged by primary key.
 * Shared by the demo and the benchmark.
 */

type Rec = Record<string, unknown>;

export interface Mismatch {
  missing: unknown[];
  extra: unknown[];
  duplicates: unknown[];
  changed: unknown[];
}

/** Fields the connector adds to vendor-form records (derived timestamps, shipping zone uuid). */
const DERIVED = ['created_at_utc', 'updated_at_utc', 'uuid'];

/**
 * `emitted` are the records of one stream in the order they were emitted (one
 * sync, or several syncs concatenated: later ones win, as in a merge).
 */
export function compareToTruth(emitted: Rec[], truth: Rec[], pk: string, allowDuplicates = false): Mismatch {
  const keyOf = (r: Rec) => JSON.stringify(r[pk] ?? r.id);
  const merged = new Map<string, Rec>();
  const duplicates: unknown[] = [];
  for (const r of emitted) {
    const k = keyOf(r);
    if (merged.has(k) && !allowDuplicates) duplicates.push(r[pk]);
    merged.set(k, r);
  }
  const expected = new Map(truth.map((r) => [keyOf(r), r]));
  const missing = [...expected.keys()].filter((k) => !merged.has(k));
  const extra = [...merged.keys()].filter((k) => !expected.has(k));
  const changed = [...expected.entries()]
    .filter(([k, r]) => merged.has(k) && !sameRecord(merged.get(k)!, r))
    .map(([k]) => k);
  return { missing, extra, duplicates, changed };
}

/** Equal field by field, ignoring only fields the truth lacks and the connector derives. */
function sameRecord(got: Rec, want: Rec): boolean {
  const keys = new Set([...Object.keys(got), ...Object.keys(want)]);
  for (const key of keys) {
    if (!(key in want) && DERIVED.includes(key)) continue;
    if (JSON.stringify(got[key]) !== JSON.stringify(want[key])) return false;
  }
  return true;
}

export function isClean(m: Mismatch): boolean {
  return !m.missing.length && !m.extra.length && !m.duplicates.length && !m.changed.length;
}

export function describeMismatch(m: Mismatch): string {
  const part = (name: string, list: unknown[]) => (list.length ? `${list.length} ${name} (${list.slice(0, 5).join(', ')})` : '');
  return [part('missing', m.missing), part('extra', m.extra), part('duplicated', m.duplicates), part('changed', m.changed)]
    .filter(Boolean)
    .join('; ');
}
