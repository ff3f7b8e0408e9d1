import { AirbyteLogger } from 'faros-airbyte-cdk';

import { ApiError, ConnectorState, SelectedStream, StreamState } from '../protocol';
import { EcommerceStream } from '../streams';
import { toInstant } from './dialect';
import { Heartbeat } from './heartbeat';
import { Page, Rec } from './pagination';
import { CREATED_SINCE, EVENTS } from './vendor';

/**
 * Where the events log was last read to, kept in the state of each stream that
 * reads it (orders, customers): a platform keeps only the selected streams'
 * state, so the `events` stream's own state cannot carry it.
 */
export const CHANGES_SINCE = 'changes_since';

/** The id of the last event read, beside `changes_since` (and in the `events` stream's own state): the next read asks `since_id`. */
export const EVENTS_SINCE_ID = 'events_since_id';

/** One event's subject: the record it says changed. */
interface Change {
  subjectType: string;
  subjectId: string | number;
  /** undefined: the event's time is unreadable, so it counts for every reader. */
  at?: number;
  /** The event's id, when it is an integer. */
  id?: number;
}

/** Where one reader of the log starts: its time, and the last event id it read (if it kept one). */
interface Start {
  from?: number;
  sinceId?: number;
}

/** The one read of the log in a run. */
interface LogRead {
  changes: Change[];
  latest?: number;
  lastId?: number;
  /** The server honoured `since_id`: readers filter by event id, not by time. */
  byId: boolean;
  /** The pages the `events` stream emits from, when its incremental read is this one. */
  pages: Page[];
}

/**
 * The events log (`/v1/events`) as a change feed. Orders and customers carry
 * no update time, so a cursor on their creation time never sees a change; the
 * log names each changed record by `subjectType` / `subjectId`. It is read once
 * per sync, before the lists, from the earliest point any reading stream needs
 * (the `events` stream's incremental read included: it emits from this read),
 * so that a change made after it is either in the lists read next or in the
 * next sync's feed. The read asks `since_id` (the last event id every reader
 * kept) or else `created_after` (a day before the earliest time, as the orders'
 * `from`: the server's reading of the instant is unproven); an answer proves
 * the parameter honoured when every event is past it, and only then do readers
 * trust ids; otherwise the log was answered whole and is filtered here by time
 * (events at the cursor are read again, never lost), said once in the log. A
 * log the server does not serve (404, 403, ...) or that fails is logged and
 * leaves every cursor where it was.
 */
export class ChangeFeed {
  private read?: Promise<LogRead | undefined>;
  private failure?: unknown;

  private constructor(
    private readonly events: EcommerceStream,
    private readonly start: { from: number; sinceId?: number },
    /** The `events` stream's own start, when its incremental read is this read. */
    private readonly eventsStart: Start | undefined,
    private readonly logger: AirbyteLogger
  ) {}

  /** The run's feed, when a selected incremental stream has a point to read the log from. */
  static forSync(streams: EcommerceStream[], selected: SelectedStream[], state: ConnectorState, logger: AirbyteLogger): ChangeFeed | undefined {
    const events = streams.find((s) => s.definition.cursor?.eventsLog);
    if (!events) return undefined;
    const incremental = selected.filter((s) => s.syncMode === 'incremental').map((s) => streams.find((stream) => stream.name === s.name)!);
    const starts = incremental
      .filter((s) => s.definition.cursor?.changeFeed)
      .map((s) => feedStart(state[s.name], s.definition.cursor!.field))
      .filter((start) => start.from !== undefined);
    // The events stream shares the read once it has a point of its own; its first sync reads the log alone.
    const own = incremental.includes(events) ? feedStart(state[events.name], events.definition.cursor!.field) : undefined;
    const eventsStart = own?.from !== undefined ? own : undefined;
    if (eventsStart) starts.push(eventsStart);
    if (starts.length === 0) return undefined;
    const ids = starts.map((s) => s.sinceId);
    const sinceId = ids.every((id): id is number => id !== undefined) ? Math.min(...ids) : undefined;
    return new ChangeFeed(events, { from: Math.min(...starts.map((s) => s.from!)), sinceId }, eventsStart, logger);
  }

  /** Whether the `events` stream's incremental read is this one (see pages()). */
  get readsForEventsStream(): boolean {
    return this.eventsStart !== undefined;
  }

  /** The `events` stream's pages from the one read, as answered and from its own start on; its cursor filters them as any list. */
  async *pages(): AsyncGenerator<Page> {
    const log = await this.logRead();
    if (!log) throw this.failure;
    // Handed over once: the read holds them only until the stream has emitted them.
    while (log.pages.length > 0) yield log.pages.shift()!;
  }

  /**
   * What the log says changed for one stream since its own cursor: the ids (by
   * their text) and the cursor to keep once the stream is read whole.
   */
  async changesFor(stream: EcommerceStream, state: StreamState | undefined): Promise<StreamChanges> {
    const field = stream.definition.cursor!.field;
    const { from, sinceId } = feedStart(state, field);
    if (from === undefined) return new StreamChanges(new Map(), undefined, undefined);
    const log = await this.logRead();
    if (!log) return new StreamChanges(new Map(), from, sinceId);
    const ids = new Map<string, Named>();
    for (const change of log.changes) {
      if (change.subjectType !== stream.definition.cursor?.changeFeed) continue;
      if (log.byId && sinceId !== undefined ? change.id! <= sinceId : change.at !== undefined && change.at < from) continue;
      const key = String(change.subjectId);
      const at = Math.max(change.at ?? -Infinity, ids.get(key)?.at ?? -Infinity);
      ids.set(key, { id: change.subjectId, at: Number.isFinite(at) ? at : undefined });
    }
    const lastId = log.lastId === undefined ? sinceId : Math.max(log.lastId, sinceId ?? log.lastId);
    return new StreamChanges(ids, Math.max(from, log.latest ?? from), lastId);
  }

  private logRead(): Promise<LogRead | undefined> {
    this.read ??= this.readLog();
    return this.read;
  }

  /** `since_id` when every reader kept one, else `created_after`. */
  private params(): Record<string, string | number> {
    const { sinceId, from } = this.start;
    if (sinceId !== undefined) return { [EVENTS.sinceId]: sinceId };
    return { [EVENTS.createdAfter]: new Date(from - CREATED_SINCE.marginSeconds * 1000).toISOString() };
  }

  /** Whether one answered event lies past what was asked: the proof the server honoured it. */
  private past(params: Record<string, string | number>, id: number | undefined, at: number | undefined): boolean {
    const sinceId = params[EVENTS.sinceId];
    if (sinceId !== undefined) return id !== undefined && id > Number(sinceId);
    return at !== undefined && at > Date.parse(String(params[EVENTS.createdAfter]));
  }

  private async readLog(): Promise<LogRead | undefined> {
    const params = this.params();
    const { from, sinceId } = this.start;
    const read: LogRead = { changes: [], byId: false, pages: [] };
    let honoured = true;
    let pages = 0;
    let events = 0;
    const heartbeat = Heartbeat.start(this.logger, () => `reading the events log (${EVENTS.path}) for the change feed: ${pages} pages, ${events} events so far`);
    try {
      for await (const page of this.events.readSlice(undefined, params)) {
        pages++;
        events += page.records.length;
        if (this.eventsStart) read.pages.push({ ...page, records: page.records.filter((r) => keptFor(this.eventsStart!, r)) });
        for (const event of page.records) {
          const at = toInstant(event[EVENTS.time]);
          const id = eventId(event);
          honoured &&= this.past(params, id, at);
          if (id !== undefined && (read.lastId === undefined || id > read.lastId)) read.lastId = id;
          // Before every reader's start whichever way the answer is read (by id or by time).
          if (at !== undefined && at < from && (sinceId === undefined || (id !== undefined && id <= sinceId))) continue;
          if (at !== undefined && (read.latest === undefined || at > read.latest)) read.latest = at;
          const change = subjectOf(event, at, id);
          if (change) read.changes.push(change);
        }
      }
    } catch (error) {
      // Rejected credentials stop every stream; any other failure of the log only costs this sync its feed:
      // no cursor moves, so the next sync asks from the same point and no change is lost.
      if (error instanceof ApiError && error.status === 401) throw error;
      this.failure = error;
      const why = error instanceof ApiError && error.status !== undefined ? `answered HTTP ${error.status}` : `could not be read (${(error as Error).message})`;
      this.logger.warn(
        `The events log (${EVENTS.path}) ${why}: changes to existing orders and customers are not read this sync (the orders lookback window still applies), and the next sync asks the log from the same point.`
      );
      return undefined;
    } finally {
      heartbeat.stop();
    }
    const [name, value] = Object.entries(params)[0];
    if (!honoured) {
      this.logger.info(
        `The events log (${EVENTS.path}) answered events at or before ${name}=${value}: this server does not honour ${name}, so the log was read whole and its events are filtered here by time.`
      );
    }
    read.byId = honoured && sinceId !== undefined;
    this.logger.info(`Change feed: ${read.changes.length} events since ${new Date(from).toISOString()} (asked with ${name}=${value}) name records of their subject.`);
    return read;
  }
}

/** An event the `events` stream may still need: created at or after its start, or of unknown time, or past its last id. */
function keptFor(start: Start, event: Rec): boolean {
  const at = toInstant(event[EVENTS.time]);
  const id = eventId(event);
  return at === undefined || at >= start.from! || (start.sinceId !== undefined && id !== undefined && id > start.sinceId);
}

/**
 * The `events` stream's place in the log: the last event id it listed, kept
 * in its state so that the next run's one read of the log asks from there.
 */
export class LogPosition {
  private last?: number;

  constructor(private readonly saved: StreamState | undefined) {
    this.last = idOf(saved?.[EVENTS_SINCE_ID]);
  }

  saw(event: Rec): void {
    const id = eventId(event);
    if (id !== undefined && (this.last === undefined || id > this.last)) this.last = id;
  }

  /** In checkpoints the saved id (a kill loses nothing), at the end the last listed. */
  state(final: boolean): StreamState {
    const id = final ? this.last : idOf(this.saved?.[EVENTS_SINCE_ID]);
    return id === undefined ? {} : { [EVENTS_SINCE_ID]: id };
  }
}

/** An event id the log can be asked past: a non-negative integer (or its text). */
function idOf(value: unknown): number | undefined {
  const id = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

function eventId(event: Rec): number | undefined {
  return idOf(event.id);
}

/**
 * Where a stream's feed starts: its saved `changes_since`; for a state written
 * before the feed existed, its creation cursor (the end of the last sync, about);
 * undefined on a first sync, which reads every record anyway. With it, the last
 * event id it read, once a sync has kept one.
 */
function feedStart(state: StreamState | undefined, field: string): Start {
  return { from: toInstant(state?.[CHANGES_SINCE]) ?? toInstant(state?.[field]), sinceId: idOf(state?.[EVENTS_SINCE_ID]) };
}

/** The first of a field's names the event carries (null counts as absent). */
function first(event: Rec, names: readonly string[]): unknown {
  for (const name of names) if (event[name] !== undefined && event[name] !== null) return event[name];
  return undefined;
}

/** Both dialects: `subjectType`/`subjectId` (live), `resource_type`/`resource_id` (documented form), else the topic's prefix and `data.id`. */
function subjectOf(event: Rec, at: number | undefined, id: number | undefined): Change | undefined {
  const topic = String(first(event, EVENTS.topic) ?? '');
  const data = first(event, EVENTS.payload);
  const subjectType = first(event, EVENTS.subjectType) ?? (topic.includes('.') ? topic.split('.')[0] : undefined);
  const subjectId = first(event, EVENTS.subjectId) ?? (typeof data === 'object' && data !== null ? (data as Rec).id : undefined);
  if (typeof subjectType !== 'string' || (typeof subjectId !== 'string' && typeof subjectId !== 'number')) return undefined;
  return { subjectType: subjectType.toLowerCase(), subjectId, at, id };
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
  /** The log was read and named at least one change of this stream since its cursor: it is proven to log them. */
  readonly namedAny: boolean;

  constructor(
    private readonly pending: Map<string, Named>,
    /** The feed's next cursor; undefined on a first sync (see state()). */
    private readonly next: number | undefined,
    /** The last event id read (or the saved one); undefined until a read by id is possible. */
    private readonly nextId: number | undefined
  ) {
    this.namedAny = pending.size > 0;
  }

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
    if (!final) {
      const kept = Object.entries(saved ?? {}).filter(([key]) => key === CHANGES_SINCE || key === EVENTS_SINCE_ID);
      return Object.fromEntries(kept);
    }
    const start = this.next ?? toInstant(final.created[final.field]) ?? final.cap;
    const id = this.nextId === undefined ? {} : { [EVENTS_SINCE_ID]: this.nextId };
    return { [CHANGES_SINCE]: new Date(Math.min(start, final.cap)).toISOString(), ...id };
  }
}
