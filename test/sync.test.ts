/**
 * src/sync.ts on its own: the generic driver reads a one-list stream and a
 * per-product stream through the same parts (partitions, reader, cursor) and
 * writes what the cursor answers. Streams here are the real stream classes
 * with their reader replaced by fixed pages; no HTTP. End to end, with bin/main:
 * test/acceptance/, test/guarantees/.
 */
import { AirbyteLogger } from 'faros-airbyte-cdk';

import { parseConfig } from '../src/config/config';
import type { ApiClient } from '../src/http';
import { ApiError, ProtocolOutput } from '../src/protocol';
import { Page, Rec, Slice } from '../src/read';
import type { ProductList } from '../src/read/product-list';
import { EcommerceStream, StreamContext } from '../src/streams/base';
import { EmbeddedChildren } from '../src/read/embedded-children';
import { ProductsImages } from '../src/streams/products-images';
import { ProductsReviews } from '../src/streams/products-reviews';
import { ProductsVariations } from '../src/streams/products-variations';
import { Themes } from '../src/streams/themes';
import { runSync } from '../src/sync';
import { completionMarkOnly } from './helpers/connector';

const logger = { info: () => undefined, warn: () => undefined, debug: () => undefined } as unknown as AirbyteLogger;
const config = parseConfig({ api_key: 'key', api_secret: 'secret', base_url: 'http://127.0.0.1:1', max_concurrency: 2 }, {});
const SERVER_NOW = Date.parse('2024-06-01T00:00:00Z');
const client = { statsFor: () => ({ requests: 0, retries: 0, throttled: 0, waitedMs: 0, earliestServerTime: SERVER_NOW }) } as unknown as ApiClient;
const products = { embedded: undefined, productIds: async () => [1, 2, 3], listedAt: () => undefined, size: () => ({ count: 3, exact: true }) } as unknown as ProductList;
const ctx = { config, client, products, pageCap: undefined, logger } as unknown as StreamContext;

/** Replaces a stream's reader with fixed pages per slice (by product id, or `list`), recording what it was asked. */
function withPages<S extends EcommerceStream>(stream: S, pages: (slice: Slice) => Page[] | Error): S & { asked: unknown[] } {
  const asked: unknown[] = [];
  Object.assign(stream, {
    asked,
    readSlice: async function* (slice: Slice, params?: Record<string, unknown>): AsyncGenerator<Page> {
      asked.push({ product: slice?.prd_id, params });
      const answer = pages(slice);
      if (answer instanceof Error) throw answer;
      for (const page of answer) {
        for (const record of page.records) stream.normalize(record, slice);
        yield page;
      }
    },
  });
  return stream as S & { asked: unknown[] };
}

/** A ProtocolOutput that keeps what it is given. */
function captured() {
  const messages: any[] = [];
  const records: Array<{ stream: string; data: Rec }> = [];
  const output = {
    record: (stream: string, data: Rec) => records.push({ stream, data }),
    message: (m: object) => messages.push(m),
    ready: async () => undefined,
  } as unknown as ProtocolOutput;
  const statuses = (name: string) =>
    messages.filter((m) => m.trace?.stream_status?.stream_descriptor.name === name).map((m) => m.trace.stream_status.status);
  const finalState = (name: string) => messages.filter((m) => m.state?.stream.stream_descriptor.name === name).at(-1)?.state.stream.stream_state;
  return { output, messages, records, statuses, finalState };
}

const theme = (id: number, at: string) => ({ id, created_at_utc: at });

/** The driver over `streams`, each read in the mode given, with the shared client, products and logger. */
const sync = (out: ReturnType<typeof captured>, streams: EcommerceStream[], modes: Record<string, 'incremental' | 'full_refresh'>, state: Parameters<typeof runSync>[0]['state']) =>
  runSync({
    config,
    streams,
    selected: Object.entries(modes).map(([name, syncMode]) => ({ name, syncMode })),
    state,
    client,
    products,
    output: out.output,
    logger,
  });

it('reads a one-list stream and a per-product stream through the same parts, and writes the state each cursor answers', async () => {
  const themes = withPages(new Themes(ctx), () => [
    { records: [theme(1, '2024-01-01T00:00:00Z'), theme(2, '2024-07-01T00:00:00Z')] },
  ]);
  const reviews = withPages(new ProductsReviews(ctx), (slice) => [{ records: [{ id: `r${slice!.prd_id}`, created_at_utc: '2024-02-01T00:00:00Z' }] }]);
  const out = captured();
  const state = { themes: { created_at_utc: '2024-03-01T00:00:00Z' }, products_reviews: { created_at_utc: 'kept', resume: 'not a position' } };
  const ok = await sync(out, [themes, reviews], { themes: 'incremental', products_reviews: 'full_refresh' }, state);
  expect(ok).toBe(true);
  // Incremental: the record before the state is left out; the final state is the newest record, capped by the server clock.
  expect(out.records.filter((r) => r.stream === 'themes').map((r) => r.data.id)).toEqual([2]);
  expect(out.finalState('themes')).toEqual({ created_at_utc: new Date(SERVER_NOW).toISOString() });
  // Per product: every product read, each record joined to its product; a full refresh drops the resume position.
  expect(reviews.asked.map((a: any) => a.product).sort()).toEqual([1, 2, 3]);
  expect(out.records.filter((r) => r.stream === 'products_reviews').map((r) => [r.data.id, r.data.product_id]).sort()).toEqual([
    ['r1', 1],
    ['r2', 2],
    ['r3', 3],
  ]);
  expect(out.finalState('products_reviews')).toEqual({ created_at_utc: 'kept', ...completionMarkOnly() });
  expect(out.statuses('themes')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  expect(out.statuses('products_reviews')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
});

it('a failed stream reports one error and INCOMPLETE, without a final state; the others complete', async () => {
  const broken = withPages(new Themes(ctx), () => new ApiError('The API answered /v1/themes with HTTP 403.', 'config_error', 403, '/v1/themes'));
  const reviews = withPages(new ProductsReviews(ctx), () => [{ records: [] }]);
  const out = captured();
  const ok = await sync(out, [broken, reviews], { themes: 'full_refresh', products_reviews: 'full_refresh' }, {});
  expect(ok).toBe(false);
  expect(out.statuses('themes')).toEqual(['STARTED', 'INCOMPLETE']);
  expect(out.finalState('themes')).toBeUndefined();
  const errors = out.messages.filter((m) => m.trace?.type === 'ERROR');
  expect(errors).toHaveLength(1);
  expect(errors[0].trace.error.stream_descriptor.name).toBe('themes');
  expect(out.statuses('products_reviews')).toEqual(['STARTED', 'COMPLETE']);
  expect(out.finalState('products_reviews')).toEqual(completionMarkOnly());
});

it("the products list stops keeping and waiting for a child stream's embedded arrays once that stream ended, read or failed", async () => {
  const embedded = new EmbeddedChildren([]);
  const released = jest.spyOn(embedded, 'release');
  const withEmbedded = { ...ctx, products: { ...products, embedded } } as unknown as StreamContext;
  const images = withPages(new ProductsImages(withEmbedded), () => new ApiError('The API answered /v1/products/1/images with HTTP 403.', 'config_error', 403, '/v1/products/1/images'));
  const variations = withPages(new ProductsVariations(withEmbedded), () => [{ records: [] }]);
  const out = captured();
  await sync(out, [images, variations], { products_images: 'full_refresh', products_variations: 'full_refresh' }, {});
  expect(out.statuses('products_images')).toEqual(['STARTED', 'INCOMPLETE']);
  expect(out.statuses('products_variations')).toEqual(['STARTED', 'COMPLETE']);
  expect(released.mock.calls.map(([name]) => name).sort()).toEqual(['images', 'variations']);
});
