import fs from 'node:fs';
import path from 'node:path';

import type { AirbyteLogger } from 'faros-airbyte-cdk/lib/logger';
import type { AirbyteStream } from 'faros-airbyte-cdk/lib/protocol';

import { Config } from '../config';
import type { ApiClient } from '../http';
import { ApiError, ConnectorError } from '../protocol';
// Files, not '../read': discover loads the stream classes, and the read barrel would load the whole read loop with them.
import { CHANGED_AT } from '../read/change-stamp';
import { checkedChildPage, ProductGone } from '../read/child-not-found';
import { resumable } from '../read/child-resume';
import { deriveTimestamps, readPage } from '../read/dialect';
import { EmbeddedName } from '../read/embedded-children';
import { PageCap } from '../read/page-cap';
import { FetchPage, ListOrder, Page, paginate, Rec } from '../read/pagination';
import { ListFilter, PartitionRouter, PerProduct, SingleList } from '../read/partitions';
import { ProductList, Slice } from '../read/product-list';
import { productLookup } from '../read/existence';
import { childListPath, OFFSET_PARAM, TwoSidedFilter } from '../read/vendor';
import { AirbyteStreamBase } from './kit-stream-base';

/** What every stream gets: one client and one product list per run. */
export interface StreamContext {
  config: Config;
  client: ApiClient;
  products: ProductList;
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
  /** The incremental cursor part (src/read/cursors.ts); none: full refresh only. */
  cursor?: CursorDeclaration;
  /** false: one request without offset/limit returns the whole list. */
  paginated?: boolean;
  /** `/v1/<path>/count` answers `{"count": n}`: an estimate when the list carries no total. */
  countable?: boolean;
  /** The name under which the products list embeds these children (`embed=images`). */
  embeddedAs?: EmbeddedName;
  /** The list takes `ids=1,2,3`, checked answer by answer (src/read/refetch-by-id.ts). */
  filtersByIds?: boolean;
  /** The list takes this two-valued filter and its plain list may hide one side: both are read (src/read/partitions.ts ListFilter). */
  listFilter?: TwoSidedFilter;
}

/** What a stream's cursor follows and which of the shared mechanisms it uses. */
export interface CursorDeclaration {
  /** The record's time that the cursor follows (`created_at_utc`, `updated_at_utc`). */
  field: string;
  /** The list takes `from` (UNIX seconds, created at or after) and `sort=date`: see src/read/created-since-filter.ts. */
  createdSince?: boolean;
  /** The events log's subjectType for these records: changed ones are read again (src/read/change-feed.ts). */
  changeFeed?: string;
  /** Incremental reads start `lookback_days` before the state (records change after creation). */
  lookback?: boolean;
  /**
   * The records carry no update time: discover declares the derived `changed_at_utc`
   * (src/read/change-stamp.ts) as the cursor, `field` stays the list's creation position in the state.
   */
  stampsChange?: boolean;
  /** The stream is the events log: its state keeps the last event id, and its incremental read is the change feed's one read of the log. */
  eventsLog?: boolean;
  /**
   * The list takes `sort=created_desc` on `field`: an incremental read asks it newest first and stops at
   * its cursor where the answers prove the order (src/read/newest-first.ts).
   */
  newestFirst?: boolean;
  /** The list is read whole on every sync: an id it no longer lists is asked by id, and a confirmed 404 emits a deletion record (src/read/deletions.ts). */
  deletedWhenUnlisted?: boolean;
}

const SCHEMAS = path.resolve(__dirname, '..', '..', 'resources', 'schemas');

/**
 * A stream of this API, declared from parts: its partitions (one list, or one
 * per product), its list request (path, paging, server filters its cursor
 * asks), its cursor (src/read/cursors.ts) and its record transformations
 * (normalize). The sync (src/sync.ts) drives every stream alike through
 * `partitions`, `readSlice()` and the cursor, knowing none by name or class.
 */
export abstract class EcommerceStream extends AirbyteStreamBase {
  private schema?: Record<string, unknown>;

  /** true for the stream whose records are the shared product list (see ProductList). */
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
    const declared = this.definition.cursor;
    return declared?.stampsChange ? CHANGED_AT : (declared?.field ?? []);
  }

  /** An incremental stream resumes from its state: Airbyte may hand an interrupted attempt's state to the next one. */
  override asAirbyteStream(): AirbyteStream {
    const stream = super.asAirbyteStream();
    return this.definition.cursor ? { ...stream, is_resumable: true } as AirbyteStream : stream;
  }

  getJsonSchema(): Record<string, unknown> {
    this.schema ??= JSON.parse(fs.readFileSync(path.join(SCHEMAS, `${this.name}.json`), 'utf8'));
    return this.schema!;
  }

  /** Which lists make up the stream. */
  abstract readonly partitions: PartitionRouter;

  /** The slices to read: one per product for children, a single one otherwise. */
  slices(): AsyncGenerator<Slice> {
    return this.partitions.slices();
  }

  /** The pages of one slice, records normalized to the documented form; `order`: the order the cursor asks and where it lets the list stop. */
  async *readSlice(slice: Slice, extraParams?: Record<string, string | number>, order?: ListOrder): AsyncGenerator<Page> {
    const { client, config } = this.ctx;
    const where = slice ? childListPath(this.definition.path, slice.prd_id) : this.definition.path;
    const fetchPage = this.checkedPages(slice, async (offset: number, limit: number): Promise<Page> => {
      const params =
        this.definition.paginated === false ? undefined : { ...extraParams, ...order?.params, [OFFSET_PARAM]: offset, [config.page_size_parameter]: limit };
      const res = await client.get(where, params, this.name);
      const page = readPage(res.body);
      if (!page) {
        // The client validates bodies before this point; this guards the contract.
        throw new ApiError(`The API answered ${where} for stream '${this.name}' without a list of records.`, 'system_error', res.status, where, undefined, this.name);
      }
      for (const record of page.records) this.normalize(record, slice);
      return page;
    });
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
      end: order?.newList(),
    });
  }

  /** How a page of this stream's list is asked for; child lists check a 404 before believing it. */
  protected checkedPages(_slice: Slice, fetch: FetchPage): FetchPage {
    return fetch;
  }

  /** Brings a record of either dialect to the documented form, in place (list and single-record answers alike). */
  normalize(record: Rec, _slice?: Slice): void {
    deriveTimestamps(record);
  }

  /** The kit declares it abstract; the kit's read loop is replaced by src/sync.ts, which reads through readSlice(). */
  // eslint-disable-next-line require-yield
  async *readRecords(): AsyncGenerator<Rec> {
    throw new Error(`Stream '${this.name}': readRecords() is not used; the sync reads through readSlice().`);
  }
}

/** A top-level list such as /v1/orders. */
export abstract class ListStream extends EcommerceStream {
  readonly partitions: PartitionRouter = this.definition.listFilter
    ? new ListFilter(this.definition.listFilter, this.definition.name, this.ctx.logger)
    : new SingleList();

  /** A router that reads the slice as several lists asks for each with its own parameters, after the cursor's. */
  override readSlice(slice: Slice, extraParams?: Record<string, string | number>, order?: ListOrder): AsyncGenerator<Page> {
    const { partitions, primaryKey } = this;
    if (!partitions.pagesOf) return super.readSlice(slice, extraParams, order);
    return partitions.pagesOf(
      (params) => super.readSlice(slice, { ...extraParams, ...params }, order),
      (record) => record[primaryKey] ?? JSON.stringify(record)
    );
  }
}

/**
 * A per-product list such as /v1/products/{prd_id}/images: one slice per
 * product of the shared catalog, whatever the products stream's own state.
 */
export abstract class ProductChildStream extends EcommerceStream {
  readonly partitions: PartitionRouter = new PerProduct(this.ctx.products, this.definition.embeddedAs);

  /** A full refresh resumes after the products a cut sync finished (src/read/child-resume.ts). */
  override asAirbyteStream(): AirbyteStream {
    return resumable(super.asAirbyteStream());
  }

  /**
   * The live API's child records do not say which product they belong to: the
   * slice does. product_id keeps the JSON type of the product's id; when the API
   * sends one it is kept, and must name the same product.
   */
  override normalize(record: Rec, slice?: Slice): void {
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

  /** A 404 on any page of a product's list is checked, not believed: see src/read/child-not-found.ts. */
  protected override checkedPages(slice: Slice, fetch: FetchPage): FetchPage {
    const { client, config, logger, products } = this.ctx;
    return checkedChildPage(fetch, {
      productId: slice!.prd_id,
      stream: this.name,
      lookup: productLookup(client),
      candidates: () => products.productIds(),
      maxRetries: config.max_retries,
      backoffFactor: config.backoff_factor,
      logger,
    });
  }

  override async *readSlice(slice: Slice, extraParams?: Record<string, string | number>, order?: ListOrder): AsyncGenerator<Page> {
    if (slice?.embedded) {
      // Carried whole by the products list: no request for this product.
      for (const record of slice.embedded) this.normalize(record, slice);
      yield { records: slice.embedded };
      return;
    }
    const id = slice!.prd_id;
    let listed = 0;
    try {
      for await (const page of super.readSlice(slice, extraParams, order)) {
        listed += page.records.length;
        yield page;
      }
    } catch (error) {
      if (error instanceof ProductGone) return;
      throw error;
    }
    productLookup(this.ctx.client).answered(id);
    const name = this.definition.embeddedAs;
    if (name) this.ctx.products.embedded?.checked(name, id, listed);
  }
}
