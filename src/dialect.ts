import { createHash } from 'node:crypto';

import { Page, Rec } from './pagination';

/**
 * The two ways the API answers (see README, "Vendor dialect"): the documented
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

const DERIVED: ReadonlyArray<[target: string, sources: string[]]> = [
  ['created_at_utc', ['createdAt', 'created']],
  ['updated_at_utc', ['updatedAt', 'updated']],
];

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

/** An instant in ms from ISO 8601 (any offset, fractional seconds) or RFC 2822; undefined if neither. */
export function toInstant(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  // An ISO date-time without an offset would be read as local time; the API means UTC.
  const ms = Date.parse(NO_OFFSET.test(value) ? `${value}Z` : value);
  return Number.isNaN(ms) ? undefined : ms;
}

const NO_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

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
