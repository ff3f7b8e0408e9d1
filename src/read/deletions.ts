import { deflateRawSync, inflateRawSync } from 'node:zlib';

import { AirbyteLogger } from 'faros-airbyte-cdk';

import type { ApiClient } from '../http';
import { ApiError, StreamState } from '../protocol';
import { existenceOf } from './existence';
import { Page, Rec } from './pagination';

/**
 * Deletion records (issue 32): the form Airbyte destinations in Incremental |
 * Append + Deduped remove a row by. A record with the primary key, the
 * stream's cursor at or after the live row's (stamped by src/read/cursors.ts,
 * or the destination keeps the row), and `_ab_cdc_deleted_at`. Only a deletion
 * the API confirms becomes one: a 404 from a single-record endpoint proven this
 * run (src/read/existence.ts). An id missing from a list that was not read
 * whole, or a 404 the endpoint cannot back, deletes nothing.
 */
export const DELETED_AT = '_ab_cdc_deleted_at';

type Id = string | number;

/** The deletion record of `id`: its key, its cursor field (left for the cursor's stamp to set), the moment the deletion was seen. */
export function deletionRecord(id: Id, cursorField: string, deletedAt: number): Rec {
  return { id, [cursorField]: null, [DELETED_AT]: new Date(deletedAt).toISOString() };
}

/** Where a stream whose list is read whole keeps the ids it listed (products): the next sync's list is compared with them. */
export const LISTED_IDS = 'listed_ids';

const CODEC = 'z1:';

/**
 * The ids as text: sorted, each the difference to the previous one as an
 * unsigned LEB128 varint, deflated, base64. A shop's ids are mostly
 * consecutive, so most differences are 1 and deflate folds them: 100,000
 * products take a few hundred bytes to a few dozen KB (docs/data.md).
 * undefined when an id is not a non-negative integer (the set is then not kept).
 */
export function encodeIds(ids: Iterable<Id>): string | undefined {
  const sorted: number[] = [];
  for (const id of ids) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return undefined;
    sorted.push(id);
  }
  sorted.sort((a, b) => a - b);
  const bytes: number[] = [];
  let previous = 0;
  for (const id of sorted) {
    if (id === previous && bytes.length > 0) continue;
    for (let delta = id - previous; ; ) {
      const low = delta % 128;
      delta = Math.floor(delta / 128);
      bytes.push(delta > 0 ? low | 128 : low);
      if (delta === 0) break;
    }
    previous = id;
  }
  return CODEC + deflateRawSync(Buffer.from(bytes), { level: 9 }).toString('base64');
}

/** The ids encodeIds() wrote; undefined for anything else (an older or foreign state). */
export function decodeIds(text: unknown): number[] | undefined {
  if (typeof text !== 'string' || !text.startsWith(CODEC)) return undefined;
  let bytes: Buffer;
  try {
    bytes = inflateRawSync(Buffer.from(text.slice(CODEC.length), 'base64'));
  } catch {
    return undefined;
  }
  const ids: number[] = [];
  let previous = 0;
  let delta = 0;
  let scale = 1;
  for (const byte of bytes) {
    delta += (byte & 127) * scale;
    if (byte & 128) {
      scale *= 128;
      continue;
    }
    previous += delta;
    ids.push(previous);
    delta = 0;
    scale = 1;
  }
  return ids;
}

/**
 * The deletions a whole list shows: ids the last sync listed that this one did
 * not. Each is asked by id (`GET <list>/{id}`) before it counts: gone only on a
 * 404 the existence rule backs; a record still there (the list hides it) or an
 * endpoint that cannot answer keeps the id for the next sync, and deletes
 * nothing. Used only where the list is read whole (the driver reaches
 * afterList() only after the last page); a read that fails never gets here.
 */
export class UnlistedDeletions {
  private readonly listed = new Set<number>();
  /** An id that is not a non-negative integer: no set is kept (nothing to compare next time). */
  private uncodable = false;
  private kept: number[] = [];

  constructor(
    private readonly stream: string,
    private readonly listPath: string,
    private readonly saved: StreamState | undefined,
    private readonly ctx: { client: ApiClient; logger: AirbyteLogger }
  ) {}

  /** A record the list brought. */
  seen(record: Rec): void {
    if (typeof record.id === 'number' && Number.isSafeInteger(record.id) && record.id >= 0) this.listed.add(record.id);
    else this.uncodable = true;
  }

  /** The deletion records of the ids gone since the last sync; `stamp` gives each its cursor. */
  async *deleted(stamp: (id: Id) => Rec): AsyncGenerator<Page> {
    const before = decodeIds(this.saved?.[LISTED_IDS]);
    if (!before || this.uncodable) return;
    const vanished = before.filter((id) => !this.listed.has(id));
    if (vanished.length === 0) return;
    const rule = existenceOf(this.ctx.client, this.listPath);
    const witnesses = async (): Promise<Id[]> => [...this.listed].slice(0, 8);
    const gone: Id[] = [];
    for (const id of vanished) {
      let answer: string;
      try {
        answer = await rule.existence(id, this.stream, witnesses);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) throw error;
        answer = 'unknown';
      }
      if (answer === 'gone') gone.push(id);
      else this.kept.push(id);
    }
    this.ctx.logger.info(
      `Stream '${this.stream}': ${vanished.length} record(s) the last sync listed are no longer in the list; ${gone.length} confirmed deleted (404 from ${this.listPath}/{id}) and emitted as deletion records` +
        (this.kept.length > 0 ? `, ${this.kept.length} not confirmed (still served, or the API could not say) and asked again next sync: ${this.kept.slice(0, 20).join(', ')}.` : '.')
    );
    if (gone.length > 0) yield { records: gone.map(stamp) };
  }

  /** In checkpoints the set the sync started from (a cut sync compares against it again). */
  checkpointState(): StreamState {
    return this.saved?.[LISTED_IDS] === undefined ? {} : { [LISTED_IDS]: this.saved[LISTED_IDS] };
  }

  /** At the end, the ids listed now and those whose deletion is not confirmed. */
  finalState(): StreamState {
    if (this.uncodable) return {};
    const encoded = encodeIds([...this.listed, ...this.kept]);
    return encoded === undefined ? {} : { [LISTED_IDS]: encoded };
  }
}
