import { AirbyteLogger } from 'faros-airbyte-cdk';

import { Config } from './config';
import { ApiClient } from './http';
import {
  ApiError,
  ConnectorError,
  ConnectorState,
  errorTrace,
  estimate,
  ProtocolOutput,
  SelectedStream,
  stateMessage,
  streamStatus,
} from './protocol';
import {
  ChangeFeed,
  ChildResume,
  CountEstimates,
  CreatedSinceFilter,
  CursorFilter,
  Page,
  ProductCatalog,
  RefetchById,
  Slice,
  StreamChanges,
  StreamProgress,
} from './read';
import { EcommerceStream, ProductChildStream } from './streams';

/** Incremental streams checkpoint after this many records, so destinations commit as the sync goes. */
const CHECKPOINT_EVERY_RECORDS = 1000;

export interface SyncInput {
  config: Config;
  streams: EcommerceStream[];
  selected: SelectedStream[];
  state: ConnectorState;
  client: ApiClient;
  products: ProductCatalog;
  output: ProtocolOutput;
  logger: AirbyteLogger;
}

/**
 * The read command's loop. Selected streams run concurrently (the client's
 * limiter bounds the requests in flight); a child stream's product slices run
 * concurrently too. Each stream reports STARTED, RUNNING, then COMPLETE or
 * INCOMPLETE; a failed stream emits one TRACE error and the others go on.
 * Only rejected credentials (HTTP 401) stop every stream: a 403 on one
 * resource, a redirect or one stream's bad state fail that stream alone (and
 * the streams that need its product list). Resolves to false when any stream failed.
 */
export async function runSync(input: SyncInput): Promise<boolean> {
  const { streams, selected, products } = input;
  const byName = new Map(streams.map((s) => [s.name, s]));
  // The product list is read once: by the stream that emits it when selected, else by the catalog on first ask.
  const emitter = selected.map((s) => byName.get(s.name)!).find((s) => s.emitsProductList);
  const listRead = emitter ? products.reserve() : undefined;

  const state: ConnectorState = { ...input.state };
  const counts = new CountEstimates(input.client);
  const changeFeed = ChangeFeed.forSync(streams, selected, state, input.logger);
  const abort: { error?: ConnectorError } = {};
  const reported = new Set<unknown>();
  const results = await Promise.all(
    selected.map(async ({ name, syncMode }) => {
      const stream = byName.get(name)!;
      const pages = stream === emitter ? listRead!.pages : undefined;
      let failure: unknown;
      try {
        await syncStream(stream, syncMode === 'incremental', state, abort, { ...input, counts, changeFeed }, pages);
        input.output.message(streamStatus(name, 'COMPLETE'));
        return true;
      } catch (error) {
        failure = error;
        if (stopsEveryStream(error)) abort.error ??= error as ConnectorError;
        // After rejected credentials every other failure is a consequence of them: report the cause once.
        const consequence = error instanceof Aborted || (abort.error !== undefined && error !== abort.error);
        if (!consequence && !reported.has(error)) {
          reported.add(error);
          input.output.message(errorTrace(withStream(error, name)));
        }
        input.output.message(streamStatus(name, 'INCOMPLETE'));
        return false;
      } finally {
        // However the emitting stream ended, nobody waits on its list any more (a no-op once read to the end).
        if (stream === emitter) listRead!.end(failure);
      }
    })
  );
  return results.every(Boolean);
}

/** Credentials the API rejected: no other stream can succeed, so all stop. */
function stopsEveryStream(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

class Aborted extends Error {}

async function syncStream(
  stream: EcommerceStream,
  incrementalMode: boolean,
  state: ConnectorState,
  abort: { error?: ConnectorError },
  input: SyncInput & { counts: CountEstimates; changeFeed?: ChangeFeed },
  listPages?: () => AsyncIterable<Page>
): Promise<void> {
  const { config, client, output, logger, products, counts } = input;
  const name = stream.name;
  output.message(streamStatus(name, 'STARTED'));
  const startedAt = Date.now();
  const incremental = incrementalMode && stream.supportsIncremental;
  const field = stream.supportsIncremental ? String(stream.cursorField) : undefined;
  // A full refresh without start_date emits everything: no per-record cursor work.
  const filter =
    field && (incremental || config.start_date)
      ? new CursorFilter(field, name, incremental ? state[name] : undefined, config.start_date, logger, lookbackMs(stream, incremental, config))
      : undefined;
  // Records changed since the last sync that the events log names (read before the list, see src/read/change-feed.ts).
  const changes = incremental && stream.definition.changeFeed ? await changesOf(stream, state, input.changeFeed) : undefined;
  logger.info(
    `Stream '${name}': ${incremental ? `incremental, ${filter!.startsFrom()}` : 'full refresh'}.`
  );

  // Orders: ask the server for what the state needs only (the cursor filter still checks every record).
  const since = filter?.since;
  const createdSince =
    stream.definition.filtersCreatedSince && config.use_order_filters && since !== undefined
      ? new CreatedSinceFilter(since, field!, name, logger)
      : undefined;
  // A count is of the whole list: no estimate for a filtered read.
  const countable = stream.definition.countable && config.use_counts && !createdSince;
  let countRequest: Promise<void> | undefined;

  const progress = new StreamProgress(name, client.statsFor(name), logger);
  let sinceCheckpoint = 0;
  // Child streams have no total for the whole stream, only per product: they send no estimate.
  let estimateSent = stream instanceof ProductChildStream;
  const emit = async (page: Page, reread = false): Promise<void> => {
    if (abort.error) throw new Aborted();
    if (!estimateSent && page.total !== undefined) {
      estimateSent = true;
      progress.expected = page.total;
      output.message(estimate(name, page.total));
    } else if (!estimateSent && countable && !countRequest) {
      // No total in the answer (a live shop): one request for an estimate, not waited for.
      countRequest = counts.countOf(stream.definition.path, name).then((count) => {
        if (count === undefined || estimateSent) return;
        estimateSent = true;
        progress.expected = count;
        output.message(estimate(name, count));
      });
    }
    const before = progress.records;
    for (const record of page.records) {
      // A record read again by id leaves the cursor alone: only creation times move it.
      if (!reread) {
        createdSince?.check(record);
        const wanted = !filter || filter.accepts(record);
        if (!(changes?.take(record) ?? false) && !wanted) continue;
      }
      output.record(name, record);
      progress.records++;
    }
    if (before === 0 && progress.records > 0) output.message(streamStatus(name, 'RUNNING'));
    progress.pageDone();
    sinceCheckpoint += progress.records - before;
    if (incremental && sinceCheckpoint >= CHECKPOINT_EVERY_RECORDS) {
      sinceCheckpoint = 0;
      output.message(stateMessage(name, { ...filter!.startingState(), ...changes?.state(state[name]) }, state));
    }
    await output.ready();
  };

  // A full refresh of a child stream checkpoints the finished prefix of the product list (src/read/child-resume.ts).
  const resume = stream instanceof ProductChildStream && !incremental ? ChildResume.start(name, state[name], logger) : undefined;
  if (stream instanceof ProductChildStream) {
    const finished = (seq: number): void => {
      resume?.finished(seq);
      if (resume?.checkpointDue()) output.message(stateMessage(name, (state[name] = resume.checkpoint()), state));
    };
    const slices = resume ? resume.pending(stream.slices()) : numbered(stream.slices());
    await readSlicesConcurrently(stream, slices, config.max_concurrency, emit, progress, finished);
  } else {
    for await (const page of listPages ? listPages() : stream.readSlice(undefined, createdSince?.params)) await emit(page);
  }
  if (changes) for await (const page of new RefetchById(stream, input).read(changes.remaining())) await emit(page, true);
  await countRequest;

  if (incremental) {
    const cap = stateCap(stream, client.statsFor(name).earliestServerTime ?? startedAt, products);
    const created = filter!.final(cap);
    state[name] = { ...created, ...changes?.state(state[name], { created, field: field!, cap }) };
    output.message(stateMessage(name, state[name], state));
  } else {
    // The protocol asks a final state of every stream; a full refresh keeps what it was given, minus any resume position.
    state[name] = resume ? resume.final() : (state[name] ?? {});
    output.message(stateMessage(name, state[name], state));
  }
  logger.info(progress.summary());
}

/** The orders lookback (lookback_days) in ms, for an incremental read of a stream that declares it. */
function lookbackMs(stream: EcommerceStream, incremental: boolean, config: Config): number {
  return incremental && stream.definition.lookback ? config.lookback_days * 24 * 60 * 60 * 1000 : 0;
}

/** On a first sync (no feed), nothing to re-read: the feed only starts its cursor. */
async function changesOf(stream: EcommerceStream, state: ConnectorState, feed: ChangeFeed | undefined): Promise<StreamChanges> {
  return feed ? feed.changesFor(stream, state[stream.name]) : new StreamChanges(new Map(), undefined);
}

/**
 * The latest instant the final state may claim: the server clock at the
 * stream's first answer (the local clock at its start when the server sends no
 * Date header). A child stream's products come from the product list, so its
 * state also stays at or before the moment that list describes: a product
 * created after the list was read has children this sync never asked for.
 */
function stateCap(stream: EcommerceStream, streamStart: number, products: ProductCatalog): number {
  if (!(stream instanceof ProductChildStream)) return streamStart;
  const listed = products.listedAt();
  return listed === undefined ? streamStart : Math.min(streamStart, listed);
}

/**
 * Reads a child stream's product slices, up to `concurrency` at once; fails on the first failed slice.
 * A fixed set of workers pulls slices as it goes: queueing every product's read up front kept a
 * closure and promises per product alive for the whole stream (and promoted to the old heap), so
 * memory grew with the catalog.
 */
async function readSlicesConcurrently(
  stream: EcommerceStream,
  numberedSlices: AsyncIterable<{ slice: Slice; seq: number }>,
  concurrency: number,
  emit: (page: Page) => Promise<void>,
  progress: StreamProgress,
  finished: (seq: number) => void
): Promise<void> {
  const slices = numberedSlices[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure) {
      try {
        // An async generator queues concurrent next() calls, so each slice goes to one worker. The product
        // list failing here is a failure like any other: every worker ends before the stream reports it.
        const next = await slices.next();
        if (next.done) return;
        for await (const page of stream.readSlice(next.value.slice)) await emit(page);
        progress.slices++;
        finished(next.value.seq);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure) throw failure.error;
}

async function* numbered(slices: AsyncIterable<Slice>): AsyncGenerator<{ slice: Slice; seq: number }> {
  let seq = 0;
  for await (const slice of slices) yield { slice, seq: seq++ };
}

function withStream(error: unknown, stream: string): unknown {
  if (error instanceof ConnectorError && !error.stream) {
    return new ConnectorError(error.message, error.failureType, error.internalMessage, stream);
  }
  return error;
}
