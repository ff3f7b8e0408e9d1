import { AirbyteLogger } from 'faros-airbyte-cdk';

import { ConfigError, StreamState } from '../protocol';
import { toInstant, unreadableSourceOf } from './dialect';
import { Rec } from './pagination';

/**
 * Client-side incremental sync for one stream: the API has no server-side
 * filters, so every record is read and this decides which are emitted.
 *
 * - Cursors are compared as instants, never as strings (offsets, fractions).
 * - Records at the cutoff are emitted again: a tie at a sync boundary is
 *   re-sent (and merged by primary key), never lost.
 * - A record without a cursor value is emitted and leaves the state alone; so
 *   is one whose value is not an ISO 8601 or RFC 2822 timestamp (warned once per stream).
 * - The state moves only forward.
 */
export class CursorFilter {
  private readonly cutoff: number | undefined;
  private readonly previous: number | undefined;
  private readonly startDate: number | undefined;
  private maxSeen: number | undefined;
  private warnedUnreadable = false;

  constructor(
    readonly field: string,
    private readonly stream: string,
    state: StreamState | undefined,
    startDate: string | undefined,
    private readonly logger?: AirbyteLogger,
    /**
     * Emit again the records created this long before the saved state (see
     * lookback_days): records change after creation. Only a saved state is
     * widened, never start_date, and the state still moves only with records
     * newer than it.
     */
    lookbackMs = 0
  ) {
    const raw = state?.[field];
    this.previous = raw === undefined || raw === null ? undefined : toInstant(raw);
    if (raw !== undefined && raw !== null && this.previous === undefined) {
      throw new ConfigError(
        `The saved state of stream '${stream}' has ${JSON.stringify(raw)} for '${field}', which is not an ISO 8601 or RFC 2822 timestamp. Reset the stream's state: in Airbyte, clear this stream's data in the connection; by hand, delete the '${stream}' entry from the --state file (the stream then reads everything again).`,
        undefined,
        stream
      );
    }
    // start_date bounds every read, first or later: the lookback window never reaches before it.
    this.startDate = toInstant(startDate);
    const fromState = this.previous === undefined ? undefined : this.previous - lookbackMs;
    this.cutoff = fromState === undefined || this.startDate === undefined ? (fromState ?? this.startDate) : Math.max(fromState, this.startDate);
  }

  /** Where this sync starts, in words for the log: the saved state, start_date, or the beginning. */
  startsFrom(): string {
    const at = (ms: number) => new Date(ms).toISOString();
    if (this.previous !== undefined) {
      const widened = this.cutoff! < this.previous ? `, read from ${at(this.cutoff!)} to catch recent changes (lookback_days)` : '';
      return `from the saved state, ${this.field} ${at(this.previous)}${widened}`;
    }
    return this.cutoff !== undefined ? `from start_date ${at(this.cutoff)} (no saved state)` : 'from the beginning (no saved state, no start_date)';
  }

  /** The earliest instant a record may have to be emitted (state, else start_date); undefined: all. */
  get since(): number | undefined {
    return this.cutoff;
  }

  /** The record was created before start_date (records the events log names are held to it too). */
  beforeStartDate(record: Rec): boolean {
    const at = toInstant(record[this.field]);
    return this.startDate !== undefined && at !== undefined && at < this.startDate;
  }

  accepts(record: Rec): boolean {
    const value = record[this.field];
    const at = toInstant(value);
    if (at === undefined) {
      // The vendor's own field when the derived one is null for want of a readable value: warned, never a silent null.
      const sent = value !== undefined && value !== null && value !== '' ? { field: this.field, value } : unreadableSourceOf(record, this.field);
      if (sent && !this.warnedUnreadable) {
        this.warnedUnreadable = true;
        const derived = sent.field === this.field ? '' : ` (kept as sent; '${this.field}' is null)`;
        this.logger?.warn(
          `Stream '${this.stream}': record ${JSON.stringify(record.id ?? null)} has ${JSON.stringify(sent.value)} in '${sent.field}', which is not an ISO 8601 or RFC 2822 timestamp${derived}; it is emitted and leaves the state alone (further such values in this stream are not logged).`
        );
      }
      return true;
    }
    if (this.cutoff !== undefined && at < this.cutoff) return false;
    if (this.maxSeen === undefined || at > this.maxSeen) this.maxSeen = at;
    return true;
  }

  /**
   * The state to save while the stream is still being read: the cutoff this
   * sync started from. Records are not read in cursor order, so any higher
   * value could skip a record not yet read if the sync stopped here.
   */
  startingState(): StreamState {
    return this.stateAt(this.previous);
  }

  /**
   * A checkpoint at a position the list proved (read in ascending cursor order
   * up to `instant`): records at it are emitted again, none before it is unread.
   */
  positionAt(instant: number): StreamState {
    return this.stateAt(this.previous === undefined ? instant : Math.max(this.previous, instant));
  }

  /**
   * The state once every record has been read: the highest cursor emitted, but
   * never later than the server's clock when the stream's first page was
   * served. A record changed after its page was read gets a cursor at or after
   * that moment, so the next sync still emits it.
   */
  final(serverStartedAt: number | undefined): StreamState {
    let next = this.maxSeen;
    if (next !== undefined && serverStartedAt !== undefined) next = Math.min(next, serverStartedAt);
    if (next === undefined || (this.previous !== undefined && next <= this.previous)) {
      return this.startingState();
    }
    return this.stateAt(next);
  }

  private stateAt(instant: number | undefined): StreamState {
    return instant === undefined ? {} : { [this.field]: new Date(instant).toISOString() };
  }
}
