import { STREAMS, Stream } from './resources';
import { Rec } from './store';
import { rfc2822 } from './time';

// Records are stored once, in the seed form; this file renders them in the
// form the server is currently speaking. The truth endpoint uses the same
// rendering, so "truth" is always exactly what the API would serve.

/**
 * The vendor sends times in the shop's configured zone, not always UTC. About
 * one record in four gets +0200 or -0500 (same instant, different wall clock,
 * sometimes a different calendar day), chosen from stream and id so it is stable.
 */
function vendorOffsetMinutes(stream: Stream, id: number): number {
  const h = (Math.imul(id, 2654435761) + STREAMS.indexOf(stream) * 97) >>> 0;
  const bucket = h % 8;
  return bucket === 0 ? 120 : bucket === 1 ? -300 : 0;
}

/** Orders alone call their creation time "created" in the vendor dialect. */
function vendorCreatedKey(stream: Stream): string {
  return stream === 'orders' ? 'created' : 'createdAt';
}

export function present(stream: Stream, rec: Rec, vendor: boolean): Record<string, unknown> {
  if (!vendor) {
    if (stream !== 'shipping_zones') return rec;
    // The seed API identifies zones by uuid only; the numeric id is internal.
    const { id: _internal, ...zone } = rec;
    return zone;
  }
  const offset = vendorOffsetMinutes(stream, rec.id);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rec)) {
    if (key === 'created_at_utc') out[vendorCreatedKey(stream)] = rfc2822(Date.parse(value as string), offset);
    else if (key === 'updated_at_utc') out.updatedAt = rfc2822(Date.parse(value as string), offset);
    else if (!(stream === 'shipping_zones' && key === 'uuid')) out[key] = value;
  }
  return out;
}

/** The value a client would use as the record's primary key in the current form. */
export function keyOf(stream: Stream, rec: Rec, vendor: boolean): number | string {
  return stream === 'shipping_zones' && !vendor ? (rec.uuid as string) : rec.id;
}
