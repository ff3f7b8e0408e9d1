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
  StreamState,
  streamStatus,
} from './protocol';
import { CountEstimates, Cursors, NumberedSlice, Page, ProductList, Rec, Slice, StreamProgress } from './read';
import { EcommerceStream } from './streams';

export interface SyncInput {
  config: Config;
  streams: EcommerceStream[];
  selected: SelectedStream[];
  state: ConnectorState;
  client: ApiClient;
  products: ProductList;
  output: ProtocolOutput;
  logger: AirbyteLogger;
}

/**
 * The read command's loop: a generic driver that knows no stream by name or
 * class. Each stream's parts answer for it: its partitions (which lists), its
 * reader (pages of one list), its cursor (state, server filter, which records
 * are emitted, checkpoints, re-reads). Selected streams run concurrently (the
 * client's limiter bounds the requests in flight); a stream's slices run
 * concurrently too. Each stream reports STARTED, RUNNING, then COMPLETE or
 * INCOMPLETE; a failed stream emits one TRACE error and the others go on.
 * Only rejected credentials (HTTP 401) stop every stream: a 403 on one
 * resource, a redirect or one stream's bad state fail that stream alone (and
 * the streams that need its product list). Resolves to false when any stream failed.
 */
export async function runSync(input: SyncInput): Promise<boolean> {
  const { streams, selected, products } = input;
  const byName = new Map(streams.map((s) => [s.name, s]));
  // The product list is read once: by the stream that emits it when selected, else by the ProductList on first ask.
  const emitter = selected.map((s) => byName.get(s.name)!).find((s) => s.emitsProductList);
  const listRead = emitter ? products.reserve() : undefined;

  const counts = new CountEstimates(input.client);
  const cursors = new Cursors(streams, selected, input.state, input);
  const abort: { error?: ConnectorError } = {};
  const reported = new Set<unknown>();
  const results = await Promise.all(
    selected.map(async ({ name, syncMode }) => {
      const stream = byName.get(name)!;
      const pages = stream === emitter ? listRead!.pages : undefined;
      let failure: unknown;
      try {
        await syncStream(stream, syncMode === 'incremental', abort, { ...input, counts, cursors }, pages);
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
        // Nor does the list wait for, or keep arrays for, a child stream that ended.
        stream.partitions.ended?.();
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
  abort: { error?: ConnectorError },
  input: SyncInput & { counts: CountEstimates; cursors: Cursors },
  listPages?: () => AsyncIterable<Page>
): Promise<void> {
  const { config, client, output, logger, counts } = input;
  const { name, partitions } = stream;
  output.message(streamStatus(name, 'STARTED'));
  const startedAt = Date.now();
  const cursor = await input.cursors.open(stream, incrementalMode);
  logger.info(`Stream '${name}': ${cursor.start}.`);
  const checkpoint = (streamState: StreamState | undefined): void => {
    if (streamState) output.message(stateMessage(name, streamState));
  };

  // A count is of the whole list: no estimate for a filtered read.
  const countable = stream.definition.countable && config.use_counts && !cursor.requestParams;
  let countRequest: Promise<void> | undefined;
  const progress = new StreamProgress(name, client.statsFor(name), logger, partitions.unit, partitions.partitionCount && (() => partitions.partitionCount!()));
  let sliceCountRequest: Promise<void> | undefined;
  // A total that counts one partition only is no estimate of the stream.
  let estimateSent = !partitions.totalIsStream;
  const emit = async (page: Page, accepts: (record: Rec) => boolean): Promise<void> => {
    if (abort.error) throw new Aborted();
    if (!estimateSent && page.total !== undefined) {
      estimateSent = true;
      progress.expected = page.total;
      output.message(estimate(name, page.total));
    } else if (!estimateSent && countable && !countRequest && !page.totalLater) {
      // No total in the answer (a live shop): one request for an estimate, not waited for.
      countRequest = counts.countOf(stream.definition.path, name, partitions.countParams).then((count) => {
        if (count === undefined || estimateSent) return;
        estimateSent = true;
        progress.expected = count;
        output.message(estimate(name, count));
      });
    }
    const before = progress.records;
    cursor.pageStarts?.(page);
    for (const record of page.records) {
      if (!accepts(record)) continue;
      output.record(name, record);
      progress.records++;
    }
    if (before === 0 && progress.records > 0) output.message(streamStatus(name, 'RUNNING'));
    progress.pageDone();
    checkpoint(cursor.recordsDone(progress.records - before));
    await output.ready();
  };

  const listed = (record: Rec): boolean => cursor.accepts(record);
  const read = (slice: Slice): AsyncIterable<Page> => (listPages ?? cursor.listPages)?.() ?? stream.readSlice(slice, cursor.requestParams, cursor.listOrder);
  await readSlicesConcurrently(cursor.pending(partitions.slices()), config.max_concurrency, async (slice, seq) => {
    progress.sliceStarts(seq);
    // The partitions are being listed and the list tells no total (a live shop): one `/count` for the progress logs, not waited for.
    if (!sliceCountRequest && partitions.partitionsCountedBy && config.use_counts && !partitions.partitionCount?.()) {
      sliceCountRequest = counts.countOf(partitions.partitionsCountedBy, name).then((count) => void (progress.slicesEstimated = count));
    }
    for await (const page of read(slice)) await emit(page, listed);
    progress.sliceDone();
    checkpoint(cursor.sliceDone(seq));
  });
  // Read again after the list, as they are: only the list's records move the cursor.
  for await (const page of cursor.afterList()) await emit(page, () => true);
  await Promise.all([countRequest, sliceCountRequest]);

  // The protocol asks a final state of every stream.
  output.message(stateMessage(name, cursor.final(partitions.stateCap(client.statsFor(name).earliestServerTime ?? startedAt))));
  logger.info(progress.summary());
}

/**
 * Reads a stream's slices, up to `concurrency` at once; fails on the first failed slice.
 * A fixed set of workers pulls slices as it goes: queueing every product's read up front kept a
 * closure and promises per product alive for the whole stream (and promoted to the old heap), so
 * memory grew with the shop's product count.
 */
async function readSlicesConcurrently(
  numberedSlices: AsyncIterable<NumberedSlice>,
  concurrency: number,
  readOne: (slice: Slice, seq: number) => Promise<void>
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
        await readOne(next.value.slice, next.value.seq);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure) throw failure.error;
}

function withStream(error: unknown, stream: string): unknown {
  if (error instanceof ConnectorError && !error.stream) {
    return new ConnectorError(error.message, error.failureType, error.internalMessage, stream);
  }
  return error;
}
