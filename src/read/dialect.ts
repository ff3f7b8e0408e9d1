import { createHash } from 'node:crypto';

import { Page, Rec } from './pagination';

/**
 * The two ways the API answers (see docs/vendor-api.md, "The two forms the connector reads"): the documented
 * form `{"data": [...], "total": n}` with `*_at_utc` ISO timestamps, and the live
 * ShopWired form, a bare array whose records carry `createdAt` / `updatedAt`
 * (orders: `created`) as RFC 2822 strings. Everything here is specific to this
 * API, which is why it is hand-written.
 */

/** Records and total from a list body; undefined when the body is neither form. */
export function readPage(body: unknown): Page | undefined {
  if (Array.isArray(body)) return { records: body };
  if (typeof body !== 'object' || body === null) return undefined;
  const { data, total, meta } = body as { data?: unknown; total?: unknown; meta?: { total?: unknown } };
  if (!Array.isArray(data)) return undefined;
  const count = typeof total === 'number' ? total : meta?.total;
  return { records: data, total: typeof count === 'number' && count >= 0 ? count : undefined };
}

/**
 * The record of a single-record answer (`GET /v1/orders/{id}`): under "data" in
 * the documented form, bare (with its id) in the vendor's; undefined otherwise.
 */
export function readRecord(body: unknown): Rec | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { id, data } = body as { id?: unknown; data?: unknown };
  if (id === undefined && typeof data === 'object' && data !== null && !Array.isArray(data)) return data as Rec;
  return id === undefined ? undefined : (body as Rec);
}

const DERIVED: ReadonlyArray<[target: string, sources: string[]]> = [
  ['created_at_utc', ['createdAt', 'created']],
  ['updated_at_utc', ['updatedAt', 'updated']],
];

/**
 * The vendor's value a derived time was made from, when the derived field is
 * null because that value is no timestamp this dialect reads (`+01`, `BST`):
 * the record keeps it as sent, and the cursor names it in its warning.
 */
export function unreadableSourceOf(record: Rec, target: string): { field: string; value: unknown } | undefined {
  if (record[target] !== null) return undefined;
  const sources = DERIVED.find(([t]) => t === target)?.[1] ?? [];
  const field = sources.find((source) => record[source] !== undefined && record[source] !== null);
  return field === undefined ? undefined : { field, value: record[field] };
}

/**
 * Fills `created_at_utc` / `updated_at_utc` from the vendor's fields when the
 * record lacks them, as ISO 8601 UTC. Mutates the freshly parsed record: no copy
 * on the hot path.
 */
export function deriveTimestamps(record: Rec): Rec {
  for (const [target, sources] of DERIVED) {
    if (record[target] !== undefined) continue;
    for (const source of sources) {
      const value = record[source];
      if (value === undefined || value === null) continue;
      record[target] = toIsoUtc(value) ?? null;
      break;
    }
  }
  return record;
}

/**
 * An instant in ms from ISO 8601 (date, or date-time with any offset and
 * fractional seconds) or RFC 2822; undefined for anything else. Date.parse alone
 * would also take "1" or "March 7" (in the local year and zone), which would
 * move a state to an instant no record had: the form is checked first.
 */
export function toInstant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  let ms: number;
  const iso = ISO_8601.exec(text);
  if (iso) {
    // Without an offset the API means UTC (Date.parse would read a date-time as local time).
    const offset = iso[2] ?? (iso[1] ? 'Z' : '');
    const colon = /^[+-]\d{4}$/.test(offset) ? `${offset.slice(0, 3)}:${offset.slice(3)}` : offset;
    ms = Date.parse(text.slice(0, text.length - (iso[2]?.length ?? 0)).replace(' ', 'T') + colon.toUpperCase());
  } else if (RFC_2822.test(text)) {
    ms = Date.parse(text);
  } else {
    return undefined;
  }
  return Number.isNaN(ms) ? undefined : ms;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;
const RFC_2822 =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s*)?\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?\s+(?:[+-]\d{4}|UT|GMT|Z|[ECMP][SD]T)$/i;

export function toIsoUtc(value: unknown): string | undefined {
  const ms = toInstant(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

// A fixed namespace so that the same zone maps to the same uuid on every sync and every machine.
const ZONE_NAMESPACE = 'ecommerce-source/shipping_zones';

/**
 * Live shops send shipping zones without `uuid`. Airbyte's manifest stamps the
 * current time there, which gives every zone a new key on every sync; we derive
 * a name-based (version 5 style) UUID from the zone's own id instead, so a zone
 * keeps its key and two zones never share one.
 */
export function zoneUuid(zone: Rec): string {
  const identity = zone.id !== undefined && zone.id !== null ? `id:${zone.id}` : `zone:${JSON.stringify(zone)}`;
  const hash = createHash('sha1').update(`${ZONE_NAMESPACE}\n${identity}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
