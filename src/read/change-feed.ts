import { AirbyteLogger } from 'faros-airbyte-cdk';

import { ApiError, ConnectorState, SelectedStream, StreamState } from '../protocol';
import { EcommerceStream } from '../streams';
import { toInstant } from './dialect';
import { Rec } from './pagination';
import { EVENTS } from './vendor';

/**
 * Where the events log was last read to, kept in the state of each stream that
 * reads it (orders, customers): a platform keeps only the selected streams'
 * state, so the `events` stream's own state cannot carry it.
 */
export const CHANGES_SINCE = 'changes_since';

/** One event's subject: the record it says changed. */
interface Change {
  subjectType: string;
  subjectId: string | number;
  /** undefined: the event's time is unreadable, so it counts for every reader. */
  at?: number;
}

/**
 * The events log (`/v1/events`) as a change feed. Orders and customers carry
 * no update time, so a cursor on their creation time never sees a change; the
 * log names each changed record by `subjectType` / `subjectId`. It is read once
 * per sync, before the lists, from the earliest point any reading stream needs,
 * so that a change made after it is either in the lists read next or in the
 * next sync's feed. The log has no known time filter: it is read whole and
 * filtered here (events at the cursor are read again, never lost). A log the
 * server does not serve (404, 403, ...) or that fails is logged and leaves
 * every cursor where it was.
 */
export class ChangeFeed {
  private read?: Promise<{ changes: Change[]; latest?: number } | undefined>;

  private constructor(
    private readonly events: EcommerceStream,
    private readonly from: number,
    private readonly logger: AirbyteLogger
  ) {}

  /** The run's feed, when a selected incremental stream has a point to read the log from. */
  static forSync(streams: EcommerceStream[], selected: SelectedStream[], state: ConnectorState, logger: AirbyteLogger): ChangeFeed | undefined {
    const events = streams.find((s) => s.name === EVENTS.stream);
    const froms = selected
      .filter((s) => s.syncMode === 'incremental')
      .map((s) => streams.find((stream) => stream.name === s.name)!)
      .filter((s) => s.definition.cursor?.changeFeed)
      .map((s) => feedStart(state[s.name], s.definition.cursor!.field))
      .filter((at): at is number => at !== undefined);
    return events && froms.length > 0 ? new ChangeFeed(events, Math.min(...froms), logger) : undefined;
  }

  /**
   * What the log says changed for one stream since its own cursor: the ids (by
   * their text) and the cursor to keep once the stream is read whole.
   */
  async changesFor(stream: EcommerceStream, state: StreamState | undefined): Promise<StreamChanges> {
    const field = stream.definition.cursor!.field;
    const from = feedStart(state, field);
    if (from === undefined) return new StreamChanges(new Map(), undefined);
    this.read ??= this.readLog();
    const log = await this.read;
    if (!log) return new StreamChanges(new Map(), from);
    const ids = new Map<string, Named>();
    for (const change of log.changes) {
      if (change.subjectType !== stream.definition.cursor?.changeFeed) continue;
      if (change.at !== undefined && change.at < from) continue;
      const key = String(change.subjectId);
      const at = Math.max(change.at ?? -Infinity, ids.get(key)?.at ?? -Infinity);
      ids.set(key, { id: change.subjectId, at: Number.isFinite(at) ? at : undefined });
    }
    return new StreamChanges(ids, Math.max(from, log.latest ?? from));
  }

  private async readLog(): Promise<{ changes: Change[]; latest?: number } | undefined> {
    const changes: Change[] = [];
    let latest: number | undefined;
    try {
      for await (const page of this.events.readSlice(undefined)) {
        for (const event of page.records) {
          const at = toInstant(event[EVENTS.time]);
          if (at !== undefined && at < this.from) continue;
          if (at !== undefined && (latest === undefined || at > latest)) latest = at;
          const change = subjectOf(event, at);
          if (change) changes.push(change);
        }
      }
    } catch (error) {
      // Rejected credentials stop every stream; any other failure of the log only costs this sync its feed:
      // no cursor moves, so the next sync asks from the same point and no change is lost.
      if (error instanceof ApiError && error.status === 401) throw error;
      const why = error instanceof ApiError && error.status !== undefined ? `answered HTTP ${error.status}` : `could not be read (${(error as Error).message})`;
      this.logger.warn(
        `The events log (${EVENTS.path}) ${why}: changes to existing orders and customers are not read this sync (the orders lookback window still applies), and the next sync asks the log from the same point.`
      );
      return undefined;
    }
    this.logger.info(`Change feed: ${changes.length} events since ${new Date(this.from).toISOString()} name records of their subject.`);
    return { changes, latest };
  }
}

/**
 * Where a stream's feed starts: its saved `changes_since`; for a state written
 * before the feed existed, its creation cursor (the end of the last sync, about);
 * undefined on a first sync, which reads every record anyway.
 */
function feedStart(state: StreamState | undefined, field: string): number | undefined {
  return toInstant(state?.[CHANGES_SINCE]) ?? toInstant(state?.[field]);
}

/** The first of a field's names the event carries (null counts as absent). */
function first(event: Rec, names: readonly string[]): unknown {
  for (const name of names) if (event[name] !== undefined && event[name] !== null) return event[name];
  return undefined;
}

/** Both dialects: `subjectType`/`subjectId` (live), `resource_type`/`resource_id` (documented form), else the topic's prefix and `data.id`. */
function subjectOf(event: Rec, at: number | undefined): Change | undefined {
  const topic = String(first(event, EVENTS.topic) ?? '');
  const data = first(event, EVENTS.payload);
  const subjectType = first(event, EVENTS.subjectType) ?? (topic.includes('.') ? topic.split('.')[0] : undefined);
  const subjectId = first(event, EVENTS.subjectId) ?? (typeof data === 'object' && data !== null ? (data as Rec).id : undefined);
  if (typeof subjectType !== 'string' || (typeof subjectId !== 'string' && typeof subjectId !== 'number')) return undefined;
  return { subjectType: subjectType.toLowerCase(), subjectId, at };
}

/** A record the log names: its id as the log gives it, and the time of the latest event naming it. */
interface Named {
  id: string | number;
  at?: number;
}

/**
 * One stream's changed ids during its read: a changed record that the list
 * read brings (new, in the lookback window, or a list read whole) is emitted
 * from the list and not asked again; the rest are re-read by id afterwards.
 */
export class StreamChanges {
  constructor(
    private readonly pending: Map<string, Named>,
    /** The feed's next cursor; undefined on a first sync (see state()). */
    private readonly next: number | undefined
  ) {}

  /** When the record is one the log named and the list brought it (emit it): the log's entry for it, taken. */
  take(record: Rec): Named | undefined {
    const key = String(record.id);
    const named = this.pending.get(key);
    this.pending.delete(key);
    return named;
  }

  /** The ids the list did not bring, to be read one by one (or by `ids=`). */
  remaining(): Array<string | number> {
    return [...this.pending.values()].map((named) => named.id);
  }

  /** The time of the latest event naming a record not yet taken (for its change stamp). */
  eventTime(record: Rec): number | undefined {
    return this.pending.get(String(record.id))?.at;
  }

  /**
   * The part of the stream's state the feed owns: in checkpoints the value the
   * sync started from (a kill loses no change), at the end the new one. On a
   * first sync the feed starts at the stream's final creation cursor: every
   * change before the lists were read is in them.
   */
  state(saved: StreamState | undefined, final?: { created: StreamState; field: string; cap: number }): StreamState {
    if (!final) return saved?.[CHANGES_SINCE] === undefined ? {} : { [CHANGES_SINCE]: saved[CHANGES_SINCE] };
    const start = this.next ?? toInstant(final.created[final.field]) ?? final.cap;
    return { [CHANGES_SINCE]: new Date(Math.min(start, final.cap)).toISOString() };
  }
}
