import { AirbyteLogger } from 'faros-airbyte-cdk';

import { SelectedStream } from './catalog';
import { Config } from './config';
import { ConnectorError } from './errors';
import { ApiClient } from './http/client';
import { CursorFilter } from './incremental';
import { ProtocolOutput } from './output';
import { Page } from './pagination';
import { ProductCatalog } from './product-catalog';
import { StreamProgress } from './progress';
import { errorTrace, estimate, streamStatus } from './protocol';
import { ConnectorState, stateMessage } from './state';
import { EcommerceStream, ProductChildStream } from './streams/base';

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
 * INCOMPLETE; a failed stream emits one TRACE error and the others go on,
 * except after a config error (bad credentials), which stops them all.
 * Resolves to false when any stream failed.
 */
export async function runSync(input: SyncInput): Promise<boolean> {
  const { streams, selected, products } = input;
  const byName = new Map(streams.map((s) => [s.name, s]));
  if (selected.some((s) => s.name === 'products')) products.expectRead();

  const state: ConnectorState = { ...input.state };
  const abort: { error?: ConnectorError } = {};
  const reported = new Set<unknown>();
  const results = await Promise.all(
    selected.map(async ({ name, syncMode }) => {
      const stream = byName.get(name)!;
      try {
        await syncStream(stream, syncMode === 'incremental', state, abort, input);
        input.output.message(streamStatus(name, 'COMPLETE'));
        return true;
      } catch (error) {
        if (error instanceof ConnectorError && error.failureType === 'config_error') abort.error ??= error;
        // After a config error every other failure is a consequence of it: report the cause once.
        const consequence = error instanceof Aborted || (abort.error !== undefined && error !== abort.error);
        if (!consequence && !reported.has(error)) {
          reported.add(error);
          input.output.message(errorTrace(withStream(error, name)));
        }
        input.output.message(streamStatus(name, 'INCOMPLETE'));
        return false;
      }
    })
  );
  return results.every(Boolean);
}

class Aborted extends Error {}

async function syncStream(
  stream: EcommerceStream,
  incrementalMode: boolean,
  state: ConnectorState,
  abort: { error?: ConnectorError },
  input: SyncInput
): Promise<void> {
  const { config, client, output, logger } = input;
  const name = stream.name;
  output.message(streamStatus(name, 'STARTED'));
  const incremental = incrementalMode && stream.supportsIncremental;
  const field = stream.supportsIncremental ? String(stream.cursorField) : undefined;
  // A full refresh without start_date emits everything: no per-record cursor work.
  const filter =
    field && (incremental || config.start_date)
      ? new CursorFilter(field, name, incremental ? state[name] : undefined, config.start_date)
      : undefined;
  logger.info(
    `Stream '${name}': ${incremental ? `incremental from ${JSON.stringify(filter!.checkpoint())}` : 'full refresh'}.`
  );

  const progress = new StreamProgress(name, client.statsFor(name), logger);
  let sinceCheckpoint = 0;
  let estimated = stream instanceof ProductChildStream;
  const emit = async (page: Page): Promise<void> => {
    if (abort.error) throw new Aborted();
    if (!estimated && page.total !== undefined) {
      estimated = true;
      output.message(estimate(name, page.total));
    }
    const before = progress.records;
    for (const record of page.records) {
      if (filter && !filter.accepts(record)) continue;
      output.record(name, record);
      progress.records++;
    }
    if (before === 0 && progress.records > 0) output.message(streamStatus(name, 'RUNNING'));
    progress.pageDone();
    sinceCheckpoint += progress.records - before;
    if (incremental && sinceCheckpoint >= CHECKPOINT_EVERY_RECORDS) {
      sinceCheckpoint = 0;
      output.message(stateMessage(name, filter!.checkpoint(), state));
    }
    await output.ready();
  };

  if (stream instanceof ProductChildStream) {
    await readSlicesConcurrently(stream, config.max_concurrency, emit, progress);
  } else {
    for await (const page of stream.readSlice(undefined)) await emit(page);
  }

  if (incremental) {
    state[name] = filter!.final(client.statsFor(name).earliestServerTime);
    output.message(stateMessage(name, state[name], state));
  }
  logger.info(progress.summary());
}

/**
 * Reads a child stream's product slices, up to `concurrency` at once; fails on the first failed slice.
 * A fixed set of workers pulls slices as it goes: queueing every product's read up front kept a
 * closure and promises per product alive for the whole stream (and promoted to the old heap), so
 * memory grew with the catalog.
 */
async function readSlicesConcurrently(
  stream: EcommerceStream,
  concurrency: number,
  emit: (page: Page) => Promise<void>,
  progress: StreamProgress
): Promise<void> {
  const slices = stream.slices()[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure) {
      // An async generator queues concurrent next() calls, so each slice goes to one worker.
      const next = await slices.next();
      if (next.done) return;
      try {
        for await (const page of stream.readSlice(next.value)) await emit(page);
        progress.slices++;
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
