import { StreamState } from '../protocol';
import { toInstant } from './dialect';
import { Rec } from './pagination';

/**
 * The cursor field the connector derives for streams whose records carry no
 * update time (orders, customers), declared in discover. A distinct name: the
 * API sends no such field in either form, so it never overwrites one it sends.
 */
export const CHANGED_AT = 'changed_at_utc';

/**
 * A stream's change stamp: the value of `changed_at_utc` each emitted record
 * carries in an incremental read = the greatest of the record's creation time,
 * the time of the latest event naming it this sync, and the stamp's floor (the
 * value of the state the read started from, raised by every state it writes).
 * So every record a read emits is at or after the state it started from and
 * after every STATE written before it, and a record emitted again (lookback
 * window, a sync whose events log failed) never carries a smaller value than
 * its earlier copy: a destination keeping per key the greatest cursor value
 * (ties to the later extraction) ends with the current version.
 */
export class ChangeStamp {
  private floor: number | undefined;
  private highest: number | undefined;

  constructor(
    /** The field stamped: `changed_at_utc`, or a stream's own cursor for records the connector makes (deletions). */
    readonly field: string,
    /** The record's creation time (`created_at_utc`). */
    private readonly createdField: string,
    saved: StreamState | undefined
  ) {
    // An older state holds only the list's creation position: it stands for the value the last read reached.
    this.floor = toInstant(saved?.[field]) ?? toInstant(saved?.[createdField]);
  }

  /** Sets the record's cursor value (see the class); `eventTime` (ms) is that of the latest event naming it. */
  stamp(record: Rec, eventTime?: number): Rec {
    const at = maxOf(toInstant(record[this.createdField]), eventTime, this.floor, toInstant(record[this.field]));
    record[this.field] = at === undefined ? null : new Date(at).toISOString();
    this.highest = maxOf(this.highest, at);
    return record;
  }

  /** The stamp's part of a checkpoint, at `atLeast` when the list's sorted position vouches for it; later records are stamped at or after it. */
  checkpoint(atLeast?: number): StreamState {
    this.floor = maxOf(this.floor, atLeast);
    return this.stateAt(this.floor);
  }

  /** The stamp's part of the final state: the greatest value stamped (the next read starts its floor there). */
  final(): StreamState {
    this.floor = maxOf(this.floor, this.highest);
    return this.stateAt(this.floor);
  }

  private stateAt(at: number | undefined): StreamState {
    return at === undefined ? {} : { [this.field]: new Date(at).toISOString() };
  }
}

function maxOf(...values: Array<number | undefined>): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
}
