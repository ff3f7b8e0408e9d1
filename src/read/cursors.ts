import { AirbyteLogger } from 'faros-airbyte-cdk';

import { Config } from '../config';
import type { ApiClient } from '../http';
import { ConnectorState, SelectedStream, StreamState } from '../protocol';
import type { EcommerceStream } from '../streams';
import { CHANGES_SINCE, ChangeFeed, EVENTS_SINCE_ID, LogPosition, StreamChanges } from './change-feed';
import { CHANGED_AT, ChangeStamp } from './change-stamp';
import { ChildResume, COMPLETED_KEY, configSha256, RESUME_KEY, ResumeGuard } from './child-resume';
import { CreatedSinceFilter } from './created-since-filter';
import { CursorFilter } from './cursor-filter';
import { deletionRecord, LISTED_IDS, UnlistedDeletions } from './deletions';
import { toInstant } from './dialect';
import { NewestFirst } from './newest-first';
import { ListOrder, Page, Rec } from './pagination';
import { Slice } from './product-list';
import { RefetchById } from './refetch-by-id';
import { RunChain } from './run-chain';

/** Incremental streams checkpoint after this many records, so destinations commit as the sync goes. */
export const CHECKPOINT_EVERY_RECORDS = 1000;

/** How many listed records a cursor keeps as witnesses that its list's records exist. */
const WITNESSES = 8;

/** A slice with its place in the stream's order, so that a cursor can tell which prefix is finished. */
export interface NumberedSlice {
  slice: Slice;
  seq: number;
}

/**
 * The incremental cursor part of a stream: the one owner of its state. It
 * reads the saved state (older shapes too), says which server parameters the
 * list is asked with, which listed records are emitted, which slices still
 * need reading, when a checkpoint is due and what it holds, which records are
 * read again after the list, and the final state. The sync (src/sync.ts) asks
 * it and writes what it answers; nothing else writes a stream's state.
 */
export interface StreamCursor {
  /** How the read starts, for the log. */
  readonly start: string;
  /** Server-side filter parameters for the list (undefined: the whole list). */
  readonly requestParams?: Record<string, string | number>;
  /** The order each list is asked in and where it may stop (newest first, at the cursor); undefined: the server's order, to the end. */
  readonly listOrder?: ListOrder;
  /** The list's pages when the run already read them (the events log, read once by the change feed); undefined: read the list. */
  readonly listPages?: () => AsyncIterable<Page>;
  /** Whether a listed record is emitted; an emitted one gets its cursor value (stamp()). */
  accepts(record: Rec): boolean;
  /** A listed page is about to be offered to accepts(). */
  pageStarts?(page: Page): void;
  /**
   * Sets the record's declared cursor value, in place: for orders and customers
   * in an incremental read `changed_at_utc` = max(creation time, `eventTime` (ms,
   * the latest event naming it), the value of every state this read started
   * from or wrote); for other streams their cursor field, raised to the same
   * bound. accepts() and afterList() stamp what they emit; a record the
   * connector makes (a deletion) is stamped here, so that its cursor value is at
   * or after the live row's. A stream without a cursor: the record as it is.
   */
  stamp(record: Rec, eventTime?: number): Rec;
  /** The slices still to read, numbered in order. */
  pending(slices: AsyncIterable<Slice>): AsyncIterable<NumberedSlice>;
  /** Slice `seq` had every record emitted; a state to checkpoint when one is due. */
  sliceDone(seq: number): StreamState | undefined;
  /** `count` more records were emitted; a state to checkpoint when one is due. */
  recordsDone(count: number): StreamState | undefined;
  /** Records to emit after the list, as they are (no filter). */
  afterList(): AsyncIterable<Page>;
  /** The state once every record was emitted; `cap` is the latest instant it may claim. */
  final(cap: number): StreamState;
}

/** The keys a stream's saved state may hold, as its cursor writes them: the cursor field, the change feed's position, a full refresh's resume point. */
export function stateKeysOf(stream: EcommerceStream): string[] {
  const declared = stream.definition.cursor;
  const keys = [
    declared?.field,
    declared?.stampsChange && CHANGED_AT,
    declared?.changeFeed && CHANGES_SINCE,
    (declared?.changeFeed || declared?.eventsLog) && EVENTS_SINCE_ID,
    declared?.deletedWhenUnlisted && LISTED_IDS,
    stream.partitions.resumable && RESUME_KEY,
    stream.partitions.resumable && COMPLETED_KEY,
  ];
  return keys.filter((key): key is string => typeof key === 'string');
}

/**
 * What the run's cursors share: one change feed (the events log read once) for
 * every stream that follows it, and the run the resumable full refreshes
 * belong to (whether an earlier attempt finished some of them).
 */
export class Cursors {
  private readonly feed?: ChangeFeed;
  private readonly guard: ResumeGuard;
  private readonly run: RunChain;

  constructor(
    streams: EcommerceStream[],
    selected: SelectedStream[],
    private readonly state: ConnectorState,
    private readonly ctx: { config: Config; client: ApiClient; logger: AirbyteLogger }
  ) {
    this.feed = ChangeFeed.forSync(streams, selected, state, ctx.logger);
    this.guard = { configSha256: configSha256(ctx.config as unknown as Record<string, unknown>) };
    const byName = new Map(streams.map((s) => [s.name, s]));
    const resumable = selected.filter((s) => s.syncMode !== 'incremental' && byName.get(s.name)?.partitions.resumable).map((s) => s.name);
    this.run = RunChain.of(state, resumable, this.guard, ctx.logger);
  }

  /** The cursor of one stream's read, from its declaration, the sync mode and its saved state. */
  async open(stream: EcommerceStream, incrementalMode: boolean): Promise<StreamCursor> {
    const { config, logger } = this.ctx;
    const declared = stream.definition.cursor;
    const saved = this.state[stream.name];
    if (incrementalMode && declared) {
      // Records changed since the last sync that the events log names (read before the list, see src/read/change-feed.ts).
      const changes = declared.changeFeed ? await this.changesOf(stream, saved) : undefined;
      // The window re-reads recent records for changes no log told of: not needed once the log named this stream's changes.
      const lookbackMs = declared.lookback && !changes?.namedAny ? config.lookback_days * 24 * 60 * 60 * 1000 : 0;
      if (declared.lookback && changes?.namedAny && config.lookback_days > 0) {
        logger.info(`Stream '${stream.name}': the events log named its changes since the last sync, so the lookback window (lookback_days) is not read this sync.`);
      }
      const created = new CreatedCursor(stream, new CursorFilter(declared.field, stream.name, saved, config.start_date, logger, lookbackMs), config, logger);
      const log = declared.eventsLog ? { position: new LogPosition(saved), pages: this.feed?.readsForEventsStream ? () => this.feed!.pages() : undefined } : undefined;
      const order = newestFirst(stream, created.filter, changes, logger);
      // Only a list read whole shows a deletion by an id's absence: never one the server filters or one that stops at its cursor.
      const unlisted = declared.deletedWhenUnlisted && !created.server && !order ? new UnlistedDeletions(stream.name, stream.definition.path, saved, this.ctx) : undefined;
      return new IncrementalCursor(stream, created, saved, changes, log, unlisted, order, this.ctx);
    }
    // A full refresh without start_date emits everything: no per-record cursor work.
    const created =
      declared && config.start_date
        ? new CreatedCursor(stream, new CursorFilter(declared.field, stream.name, undefined, config.start_date, logger), config, logger)
        : undefined;
    const resume = stream.partitions.resumable ? ChildResume.start(stream.name, saved, logger, this.guard, this.run) : undefined;
    return new FullRefreshCursor(created, resume, saved, declared ? stampOf(stream, saved) : undefined);
  }

  /** On a first sync (no feed), nothing to re-read: the feed only starts its cursor. */
  private async changesOf(stream: EcommerceStream, saved: StreamState | undefined): Promise<StreamChanges> {
    return this.feed ? this.feed.changesFor(stream, saved) : new StreamChanges(new Map(), undefined, undefined);
  }
}

/**
 * The creation (or update) time cursor: the client-side filter, and where the
 * list takes it, the same bound asked server-side (`from`, src/read/created-since-filter.ts).
 * The client-side filter always stays: a server that ignores `from` costs requests, never records.
 */
class CreatedCursor {
  readonly server?: CreatedSinceFilter;

  constructor(
    stream: EcommerceStream,
    readonly filter: CursorFilter,
    config: Config,
    logger: AirbyteLogger
  ) {
    const since = filter.since;
    // Asked even without a bound: the list then comes sorted by creation time, so checkpoints can move with it.
    if (stream.definition.cursor?.createdSince && config.use_order_filters) {
      this.server = new CreatedSinceFilter(since, filter.field, stream.name, logger);
    }
  }

  accepts(record: Rec): boolean {
    this.server?.check(record);
    return this.filter.accepts(record);
  }
}

/**
 * Newest first where declared and the read has a bound to stop at (the state, else start_date): without
 * one the whole list is read anyway. A list stops only once the events log's changes of the stream
 * that it holds were all brought by it (the rest would each cost a request by id).
 */
function newestFirst(stream: EcommerceStream, filter: CursorFilter, changes: StreamChanges | undefined, logger: AirbyteLogger): NewestFirst | undefined {
  const since = filter.since;
  if (!stream.definition.cursor?.newestFirst || since === undefined) return undefined;
  return new NewestFirst(since, filter.field, stream.name, logger, () => !changes || changes.remaining().length === 0);
}

/** The change stamp of a stream's read: `changed_at_utc` where declared, else the stream's own cursor field. */
function stampOf(stream: EcommerceStream, saved: StreamState | undefined): ChangeStamp {
  const declared = stream.definition.cursor!;
  return new ChangeStamp(declared.stampsChange ? CHANGED_AT : declared.field, declared.field, saved);
}

class IncrementalCursor implements StreamCursor {
  private sinceCheckpoint = 0;
  /** A few records the list brought: they exist, so they can vouch for the single-record endpoint (src/read/existence.ts). */
  private readonly listed: Array<string | number> = [];
  private readonly changeStamp: ChangeStamp;
  /**
   * The creation time of the last record the list brought while it is proven
   * sorted ascending by it (the list asked with `sort=date`, checked record by
   * record); null once a record came out of order: checkpoints then keep the
   * starting point.
   */
  private sortedUpTo: number | undefined | null;
  /** In a list filter's first side (see Page.positionUnsafe): checkpoints keep the starting point. */
  private positionPaused = false;

  constructor(
    private readonly stream: EcommerceStream,
    private readonly created: CreatedCursor,
    private readonly saved: StreamState | undefined,
    private readonly changes: StreamChanges | undefined,
    /** The events log's own stream: its place in the log, and the pages of the run's one read of it. */
    private readonly log: { position: LogPosition; pages?: () => AsyncIterable<Page> } | undefined,
    private readonly unlisted: UnlistedDeletions | undefined,
    /** Newest first, each list stopping at the cursor; mid-list checkpoints keep the starting point, as for any unsorted list. */
    readonly listOrder: NewestFirst | undefined,
    private readonly ctx: { config: Config; client: ApiClient; logger: AirbyteLogger }
  ) {
    this.changeStamp = stampOf(stream, saved);
    this.sortedUpTo = created.server ? undefined : null;
  }

  get listPages(): (() => AsyncIterable<Page>) | undefined {
    return this.log?.pages;
  }

  get start(): string {
    return `incremental, ${this.created.filter.startsFrom()}`;
  }

  get requestParams(): Record<string, string | number> | undefined {
    return this.created.server?.params;
  }

  /** A record the change feed named is emitted whatever its creation time, unless created before start_date. */
  accepts(record: Rec): boolean {
    if (this.listed.length < WITNESSES && (typeof record.id === 'string' || typeof record.id === 'number')) this.listed.push(record.id);
    this.followOrder(record);
    this.log?.position.saw(record);
    this.unlisted?.seen(record);
    const wanted = this.created.accepts(record);
    const named = this.changes?.take(record);
    const emitted = wanted || (named !== undefined && !this.created.filter.beforeStartDate(record));
    if (emitted) this.accepted(record, named?.at);
    return emitted;
  }

  stamp(record: Rec, eventTime?: number): Rec {
    return this.changeStamp.stamp(record, eventTime);
  }

  pending(slices: AsyncIterable<Slice>): AsyncIterable<NumberedSlice> {
    return numbered(slices);
  }

  sliceDone(): undefined {
    return undefined;
  }

  /** Mid-stream checkpoints keep the starting point, unless the list is proven sorted by creation time: then they move with it. */
  recordsDone(count: number): StreamState | undefined {
    this.sinceCheckpoint += count;
    if (this.sinceCheckpoint < CHECKPOINT_EVERY_RECORDS) return undefined;
    this.sinceCheckpoint = 0;
    const at = this.positionPaused ? undefined : (this.sortedUpTo ?? undefined);
    const position = at === undefined ? this.created.filter.startingState() : this.created.filter.positionAt(at);
    return {
      ...position,
      ...this.stampState(() => this.changeStamp.checkpoint(at)),
      ...this.changes?.state(this.saved),
      ...this.log?.position.state(false),
      ...this.unlisted?.checkpointState(),
    };
  }

  /**
   * The changes the list did not bring, read again by id (they leave the
   * creation cursor alone), then the deletions the list shows by absence;
   * confirmed deletions leave as deletion records, before the final state.
   */
  async *afterList(): AsyncGenerator<Page> {
    if (this.changes) yield* this.stampedChanges(new RefetchById(this.stream, this.ctx, () => this.listed, (id) => this.deletion(id)).read(this.changes.remaining()));
    if (this.unlisted) yield* this.unlisted.deleted((id) => this.deletion(id));
  }

  final(cap: number): StreamState {
    const created = this.created.filter.final(cap);
    return { ...created, ...this.stampState(() => this.changeStamp.final()), ...this.changes?.state(this.saved, { created, field: this.created.filter.field, cap }), ...this.log?.position.state(true), ...this.unlisted?.finalState() };
  }

  private stampState(part: () => StreamState): StreamState {
    return this.stream.definition.cursor?.stampsChange ? part() : {};
  }

  /** Records re-read by id: held to start_date, stamped with the time of the event that named them. */
  private async *stampedChanges(pages: AsyncIterable<Page>): AsyncGenerator<Page> {
    for await (const page of pages) {
      const records = page.records.filter((record) => !this.created.filter.beforeStartDate(record));
      for (const record of records) this.accepted(record, this.changes!.eventTime(record));
      if (records.length > 0) yield { ...page, records };
    }
  }

  private accepted(record: Rec, eventTime: number | undefined): void {
    if (this.stream.definition.cursor?.stampsChange) this.changeStamp.stamp(record, eventTime);
  }

  /** A page of a list filter's first side pauses the sorted position; the next side's order is checked afresh. */
  pageStarts(page: Page): void {
    if (page.positionUnsafe) this.positionPaused = true;
    else if (this.positionPaused) {
      this.positionPaused = false;
      if (this.sortedUpTo !== null) this.sortedUpTo = undefined;
    }
  }

  private followOrder(record: Rec): void {
    if (this.sortedUpTo === null || this.positionPaused) return;
    const at = toInstant(record[this.created.filter.field]);
    if (at === undefined) return;
    if (this.sortedUpTo !== undefined && at < this.sortedUpTo) {
      this.sortedUpTo = null;
      this.ctx.logger.info(
        `Stream '${this.stream.name}': the list asked sorted by creation time answered record ${JSON.stringify(record.id ?? null)} out of order; checkpoints keep the starting point for the rest of this read.`
      );
      return;
    }
    this.sortedUpTo = at;
  }

  /**
   * A deletion record, its cursor set by the read's one stamp (see ChangeStamp): at or after the
   * live row's, as the greatest of the state this read started from and the moment it is seen.
   */
  private deletion(id: string | number): Rec {
    const detectedAt = this.detectedAt();
    return this.stamp(deletionRecord(id, this.changeStamp.field, detectedAt), detectedAt);
  }

  /** The server's clock when the deletion is seen, as best known: never before the stream's first answer. */
  private detectedAt(): number {
    return Math.max(Date.now(), this.ctx.client.statsFor(this.stream.name).earliestServerTime ?? 0);
  }
}

/** A full refresh keeps the state it was given (the protocol asks a final state of every stream), minus any resume position. */
class FullRefreshCursor implements StreamCursor {
  readonly start = 'full refresh';

  constructor(
    private readonly created: CreatedCursor | undefined,
    private readonly resume: ChildResume | undefined,
    private readonly saved: StreamState | undefined,
    private readonly changeStamp: ChangeStamp | undefined
  ) {}

  /** A full refresh emits records as they are; a record the connector makes is stamped as in an incremental read. */
  stamp(record: Rec, eventTime?: number): Rec {
    return this.changeStamp ? this.changeStamp.stamp(record, eventTime) : record;
  }

  get requestParams(): Record<string, string | number> | undefined {
    return this.created?.server?.params;
  }

  accepts(record: Rec): boolean {
    return this.created ? this.created.accepts(record) : true;
  }

  pending(slices: AsyncIterable<Slice>): AsyncIterable<NumberedSlice> {
    return this.resume ? this.resume.pending(slices) : numbered(slices);
  }

  /** A resumable full refresh checkpoints the finished prefix of its partitions. */
  sliceDone(seq: number): StreamState | undefined {
    if (!this.resume) return undefined;
    this.resume.finished(seq);
    return this.resume.checkpointDue() ? this.resume.checkpoint() : undefined;
  }

  recordsDone(): undefined {
    return undefined;
  }

  afterList(): AsyncIterable<Page> {
    return noPages();
  }

  final(): StreamState {
    return this.resume ? this.resume.final() : (this.saved ?? {});
  }
}

async function* numbered(slices: AsyncIterable<Slice>): AsyncGenerator<NumberedSlice> {
  let seq = 0;
  for await (const slice of slices) yield { slice, seq: seq++ };
}

async function* noPages(): AsyncGenerator<Page> {}
