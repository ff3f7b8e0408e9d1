import fs from 'node:fs';
import path from 'node:path';

import { AirbyteLogger, AirbyteStreamBase } from 'faros-airbyte-cdk';

import { Config } from '../config';
import { deriveTimestamps, readPage } from '../dialect';
import { ApiError } from '../errors';
import { ApiClient } from '../http/client';
import { Page, paginate, Rec } from '../pagination';
import { ProductCatalog } from '../product-catalog';

/** What every stream gets: one client and one product catalog per run. */
export interface StreamContext {
  config: Config;
  client: ApiClient;
  products: ProductCatalog;
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
}

export type Slice = { prd_id: string | number } | undefined;

const SCHEMAS = path.resolve(__dirname, '..', '..', 'resources', 'schemas');

/**
 * A stream of this API: a list endpoint read with the shared paginator and
 * client. The sync (src/sync.ts) drives it through slices() and readSlice(); the
 * CDK's readRecords/streamSlices are provided for completeness.
 */
export abstract class EcommerceStream extends AirbyteStreamBase {
  private schema?: Record<string, unknown>;

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
  async *readSlice(slice: Slice): AsyncGenerator<Page> {
    const { client, config } = this.ctx;
    const where = slice ? this.definition.path.replace('{prd_id}', encodeURIComponent(String(slice.prd_id))) : this.definition.path;
    const fetchPage = async (offset: number, limit: number): Promise<Page> => {
      const params =
        this.definition.paginated === false ? undefined : { offset, [config.page_size_parameter]: limit };
      const res = await client.get(where, params, this.name);
      const page = readPage(res.body);
      if (!page) {
        // The client validates bodies before this point; this guards the contract.
        throw new ApiError(`The API answered ${where} for stream '${this.name}' without a list of records.`, 'system_error', res.status, where, undefined, this.name);
      }
      for (const record of page.records) this.normalize(record);
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
    });
  }

  /** Brings a record of either dialect to the documented form, in place. */
  protected normalize(record: Rec): void {
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

  async *slices(): AsyncGenerator<Slice> {
    for (const id of await this.ctx.products.productIds()) yield { prd_id: id };
  }

  override async *readSlice(slice: Slice): AsyncGenerator<Page> {
    try {
      yield* super.readSlice(slice);
    } catch (error) {
      // A product deleted after the list was read: its children are gone too.
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      this.ctx.logger.warn(
        `Stream '${this.name}': product ${slice?.prd_id} answered 404 Not Found (deleted since the product list was read); skipped.`
      );
    }
  }
}
