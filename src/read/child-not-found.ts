import { setTimeout as sleep } from 'node:timers/promises';

import { AirbyteLogger } from 'faros-airbyte-cdk';

// The file, not '../http': discover loads this with the stream classes, and the http barrel would load axios.
import { backoffMs } from '../http/retry-policy';
import { ApiError } from '../protocol';
import { FetchPage } from './pagination';
import { RecordExistence } from './existence';

type Key = string | number;

/** The product of a child list was confirmed deleted: the list has nothing more to give. */
export class ProductGone extends Error {
  constructor(readonly productId: Key) {
    super(`product ${String(productId)} was deleted`);
  }
}

export interface ChildListContext {
  productId: Key;
  stream: string;
  lookup: RecordExistence;
  /** Other listed products, to vouch for the single-product endpoint (see RecordExistence). */
  candidates: () => Promise<Key[]>;
  maxRetries: number;
  backoffFactor: number;
  logger: AirbyteLogger;
}

/**
 * A page of a product's child list, where a 404 is not taken at its word.
 *
 * A 404 can mean the product was deleted since the products list was read, or
 * be a proxy's or cache's hiccup while the product is there. Only
 * GET /v1/products/{id} tells them apart (src/read/existence.ts): confirmed
 * gone, the rest of the list is skipped with a warning (ProductGone; what was
 * read before stays emitted, it was the shop's data). Otherwise the same page
 * is asked again like any transient failure, with backoff, up to max_retries
 * times, on any page: retrying the page rather than the list means nothing is
 * emitted twice. It fails only when the page keeps answering 404 while the
 * product exists, or while the API cannot confirm a deletion.
 */
export function checkedChildPage(fetch: FetchPage, ctx: ChildListContext): FetchPage {
  const { productId: id, stream, lookup, logger } = ctx;
  return async (offset, limit) => {
    for (let retry = 0; ; retry++) {
      try {
        return await fetch(offset, limit);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        const existence = await lookup.existence(id, stream, ctx.candidates);
        if (existence === 'gone') {
          const read = offset > 0 ? ` from offset ${offset} on (the ones read before were emitted)` : '';
          logger.warn(
            `Stream '${stream}': product ${id} answered 404 Not Found and GET /v1/products/${id} confirms it was deleted since the product list was read; its children are skipped${read}.`
          );
          throw new ProductGone(id);
        }
        const why =
          existence === 'exists'
            ? `although GET /v1/products/${id} shows the product still exists`
            : `and the API cannot confirm that product ${id} was deleted (GET /v1/products/{id} is not served here or answers 404 even for a listed product)`;
        if (retry >= ctx.maxRetries) {
          const attempts = retry + 1;
          throw new ApiError(
            `Stream '${stream}': ${error.path} answered 404 Not Found ${attempts} time${attempts === 1 ? '' : 's'} ${why}. Its children from offset ${offset} on were not read; rather than skip them silently, the stream fails. Run the sync again; if it persists, the API is not serving this product's ${stream.replace(/^products?_/, '')}.`,
            'system_error',
            404,
            error.path,
            error.internalMessage,
            stream
          );
        }
        const wait = backoffMs(retry + 1, ctx.backoffFactor);
        logger.warn(
          `Stream '${stream}': ${error.path} (offset ${offset}) answered 404 Not Found ${why}; asking for the same page again in ${(wait / 1000).toFixed(1)} s (retry ${retry + 1} of ${ctx.maxRetries}).`
        );
        await sleep(wait);
      }
    }
  };
}
