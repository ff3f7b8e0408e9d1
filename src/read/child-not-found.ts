import { AirbyteLogger } from 'faros-airbyte-cdk';

// The file, not '../http': discover loads this with the stream classes, and the http barrel would load axios.
import { askAgainAfter404 } from '../http/retry-policy';
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
 * is asked again with backoff (askAgainAfter404, src/http/retry-policy.ts), up
 * to max_retries times, on any page: retrying the page rather than the list means nothing is
 * emitted twice. It fails only when the page keeps answering 404 while the
 * product exists, or while the API cannot confirm a deletion.
 */
export function checkedChildPage(fetch: FetchPage, ctx: ChildListContext): FetchPage {
  const { productId: id, stream, lookup, logger } = ctx;
  return async (offset, limit) => {
    let last: ApiError | undefined;
    const page = async () => {
      try {
        return await fetch(offset, limit);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        last = error;
        return undefined;
      }
    };
    const first = await page();
    if (first) return first;
    /** Every 404 asks GET /v1/products/{id} first: a confirmed deletion ends the list; otherwise, why the page is asked again. */
    const notGone = async () => {
      const existence = await lookup.existence(id, stream, ctx.candidates);
      if (existence === 'exists') return `although GET /v1/products/${id} shows the product still exists`;
      if (existence !== 'gone') {
        return `and the API cannot confirm that product ${id} was deleted (GET /v1/products/{id} is not served here or answers 404 even for a listed product)`;
      }
      const read = offset > 0 ? ` from offset ${offset} on (the ones read before were emitted)` : '';
      logger.warn(
        `Stream '${stream}': product ${id} answered 404 Not Found and GET /v1/products/${id} confirms it was deleted since the product list was read; its children are skipped${read}.`
      );
      throw new ProductGone(id);
    };
    const { found } = await askAgainAfter404([offset], page, {
      retries: ctx.maxRetries,
      backoffFactor: ctx.backoffFactor,
      before: async (_, attempt, wait) => {
        const why = await notGone();
        logger.warn(
          `Stream '${stream}': ${last!.path} (offset ${offset}) answered 404 Not Found ${why}; asking for the same page again in ${(wait / 1000).toFixed(1)} s (retry ${attempt} of ${ctx.maxRetries}).`
        );
      },
    });
    if (found.length > 0) return found[0];
    const why = await notGone();
    const attempts = ctx.maxRetries + 1;
    throw new ApiError(
      `Stream '${stream}': ${last!.path} answered 404 Not Found ${attempts} time${attempts === 1 ? '' : 's'} ${why}. Its children from offset ${offset} on were not read; rather than skip them silently, the stream fails. Run the sync again; if it persists, the API is not serving this product's ${stream.replace(/^products?_/, '')}.`,
      'system_error',
      404,
      last!.path,
      last!.internalMessage,
      stream
    );
  };
}
