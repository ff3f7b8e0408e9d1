import fs from 'node:fs';
import path from 'node:path';

import type { AirbyteLogger } from 'faros-airbyte-cdk/lib/logger';

import { Config } from '../config';
import { deriveTimestamps, readPage } from '../dialect';
import { EmbeddedName } from '../embedded-children';
import { ApiError, ConnectorError } from '../errors';
import { ApiClient } from '../http/client';
import { PageCap } from '../page-cap';
import { Page, paginate, Rec } from '../pagination';
import { ProductCatalog } from '../product-catalog';
import { productLookup } from '../product-lookup';
import { AirbyteStreamBase } from '../kit-stream-base';

/** What every stream gets: one client and one product catalog per run. */
export interface StreamContext {
  config: Config;
  client: ApiClient;
  products: ProductCatalog;
  /** Silent page caps learned once per run, for every list. */
  pageCap: PageCap;
  logger: AirbyteLogger;
}

/** What a stream declares; everything else is shared. */
export interface StreamDefinition {
  name: string;
  /** `/v1/orders`, or `/v1/products/{prd_id}/images` for a product's children. */
  path: string;
  primaryKey: string;
  cursorField?: string;
  /** false: one request without offset/limit returns the whole list. */
  paginated?: boolean;
  /** `/v1/<path>/count` answers `{"count": n}`: an estimate when the list carries no total. */
  countable?: boolean;
  /** The name under which the products list embeds these children (`embed=images`). */
  embeddedAs?: EmbeddedName;
  /** The list takes `from` (UNIX seconds, created at or after) and `sort=date`: see src/server-filter.ts. */
  filtersCreatedSince?: boolean;
}

/** A product's slice; `embedded` holds its children when the products list carried them whole. */
export type Slice = { prd_id: string | number; embedded?: Rec[] } | undefined;

const SCHEMAS = path.resolve(__dirname, '..', '..', 'resources', 'schemas');

/**
 * A stream of this API: a list endpoint read with the shared paginator and
 * client. The sync (src/sync.ts) drives it through slices() and readSlice();
 * the kit's streamSlices()/readRecords() read the same way (the CDK declares
 * them abstract), for streams built with a client (check and read, not discover).
 */
export abstract class EcommerceStream extends AirbyteStreamBase {
  private schema?: Record<string, unknown>;

  /** true for the stream whose records are the shared product list (see ProductCatalog). */
  readonly emitsProductList: boolean = false;

  constructor(
    protected readonly ctx: StreamContext,
    readonly definition: StreamDefinition
  ) {
    super(ctx.logger);
  }

  override get name(): string {
    return this.definition.name;
  }

  get primaryKey(): string {
    return this.definition.primaryKey;
  }

  override get cursorField(): string | string[] {
    return this.definition.cursorField ?? [];
  }

  getJsonSchema(): Record<string, unknown> {
    this.schema ??= JSON.parse(fs.readFileSync(path.join(SCHEMAS, `${this.name}.json`), 'utf8'));
    return this.schema!;
  }

  /** The slices to read: one per product for children, a single one otherwise. */
  abstract slices(): AsyncIterable<Slice>;

  /** The pages of one slice, records normalized to the documented form. */
  async *readSlice(slice: Slice, extraParams?: Record<string, string | number>): AsyncGenerator<Page> {
    const { client, config } = this.ctx;
    const where = slice ? this.definition.path.replace('{prd_id}', encodeURIComponent(String(slice.prd_id))) : this.definition.path;
    const fetchPage = async (offset: number, limit: number): Promise<Page> => {
      const params =
        this.definition.paginated === false ? undefined : { ...extraParams, offset, [config.page_size_parameter]: limit };
      const res = await client.get(where, params, this.name);
      const page = readPage(res.body);
      if (!page) {
        // The client validates bodies before this point; this guards the contract.
        throw new ApiError(`The API answered ${where} for stream '${this.name}' without a list of records.`, 'system_error', res.status, where, undefined, this.name);
      }
      for (const record of page.records) this.normalize(record, slice);
      return page;
    };
    if (this.definition.paginated === false) {
      yield await fetchPage(0, 0);
      return;
    }
    const key = this.primaryKey;
    yield* paginate(fetchPage, {
      pageSize: config.page_size,
      keyOf: (r) => r[key] ?? JSON.stringify(r),
      what: `stream '${this.name}' (${where})`,
      stream: this.name,
      pageCap: this.ctx.pageCap,
    });
  }

  /** Brings a record of either dialect to the documented form, in place. */
  protected normalize(record: Rec, _slice?: Slice): void {
    deriveTimestamps(record);
  }

  override async *streamSlices(): AsyncGenerator<Slice> {
    yield* this.slices();
  }

  async *readRecords(_mode: unknown, _cursor?: string[], slice?: Slice): AsyncGenerator<Rec> {
    for await (const page of this.readSlice(slice)) yield* page.records;
  }
}

/** A top-level list such as /v1/orders. */
export abstract class ListStream extends EcommerceStream {
  async *slices(): AsyncGenerator<Slice> {
    yield undefined;
  }
}

/**
 * A per-product list such as /v1/products/{prd_id}/images: one slice per
 * product of the shared catalog, whatever the products stream's own state.
 */
export abstract class ProductChildStream extends EcommerceStream {
  override get dependencies(): ReadonlyArray<string> {
    return ['products'];
  }

  /**
   * A stream whose records the list embeds follows the list as it is read, so
   * that each product's arrays are taken while fresh instead of held until the
   * last page. A stream that needs a request per product waits for the whole
   * list: following it would queue those requests ahead of the list's next
   * page, and the list (read one page at a time) would hold every child stream
   * back (big shop, 81,012 records: 4.6 s became 6.6 s).
   */
  async *slices(): AsyncGenerator<Slice> {
    const { products } = this.ctx;
    const name = this.definition.embeddedAs;
    const embedded = name && products.embedded?.names.includes(name) ? products.embedded : undefined;
    const ids = embedded ? products.listed() : await products.productIds();
    for await (const id of ids) yield { prd_id: id, embedded: embedded?.take(name!, id) };
  }

  /**
   * The live API's child records do not say which product they belong to: the
   * slice does. product_id keeps the JSON type of the product's id; when the API
   * sends one it is kept, and must name the same product.
   */
  protected override normalize(record: Rec, slice?: Slice): void {
    super.normalize(record, slice);
    const productId = slice!.prd_id;
    if (record.product_id === undefined || record.product_id === null) {
      record.product_id = productId;
    } else if (String(record.product_id) !== String(productId)) {
      throw new ConnectorError(
        `Stream '${this.name}': record ${JSON.stringify(record.id)} was listed under product ${JSON.stringify(productId)} but says product_id ${JSON.stringify(record.product_id)}; the API contradicts itself, so the stream stops rather than emit a row joined to the wrong product.`,
        'system_error',
        undefined,
        this.name
      );
    }
  }

  /**
   * A 404 on a product's child list is checked, not assumed: only when
   * GET /v1/products/{id} confirms the product is gone are its children skipped.
   * A product that still exists gets its list re-requested once (when nothing of
   * it was emitted yet); a second 404, a 404 after some pages, or a server that
   * cannot confirm deletions fails the stream, never skips silently.
   */
  override async *readSlice(slice: Slice): AsyncGenerator<Page> {
    if (slice?.embedded) {
      // Carried whole by the products list: no request for this product.
      for (const record of slice.embedded) this.normalize(record, slice);
      yield { records: slice.embedded };
      return;
    }
    const id = slice!.prd_id;
    const lookup = productLookup(this.ctx.client);
    let emitted = false;
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const page of super.readSlice(slice)) {
          emitted ||= page.records.length > 0;
          yield page;
        }
        lookup.answered(id);
        return;
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        const existence = await lookup.existence(id, this.name, () => this.ctx.products.productIds());
        if (existence === 'gone') {
          this.ctx.logger.warn(
            `Stream '${this.name}': product ${id} answered 404 Not Found and GET /v1/products/${id} confirms it was deleted since the product list was read; its children are skipped.`
          );
          return;
        }
        if (existence === 'exists' && attempt === 1 && !emitted) {
          this.ctx.logger.warn(`Stream '${this.name}': ${error.path} answered 404 Not Found although product ${id} exists; asking once more.`);
          continue;
        }
        const why =
          existence === 'exists'
            ? `although GET /v1/products/${id} shows the product still exists`
            : `and the API cannot confirm that product ${id} was deleted (GET /v1/products/{id} is not served here or answers 404 even for a listed product)`;
        throw new ApiError(
          `Stream '${this.name}': ${error.path} answered 404 Not Found ${why}. Its children were not read; rather than skip them silently, the stream fails. Run the sync again; if it persists, the API is not serving this product's ${this.name.replace(/^products?_/, '')}.`,
          'system_error',
          404,
          error.path,
          error.internalMessage,
          this.name
        );
      }
    }
  }
}
