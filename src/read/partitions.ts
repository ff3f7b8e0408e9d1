import type { EmbeddedName } from './embedded-children';
import type { ProductList, Slice } from './product-list';

/**
 * The partition router part of a stream: which parts of the API's lists make
 * up the stream, each handed to the stream's reader as a slice. The sync reads
 * the slices `max_concurrency` at a time and asks the router only these facts;
 * a stream read from several lists (one per value of a list filter, merged by
 * id) is a new router, nothing else.
 */
export interface PartitionRouter {
  slices(): AsyncGenerator<Slice>;
  /** What one partition is, for progress logs; undefined when the stream is one list. */
  readonly unit?: string;
  /** A full refresh can resume after the partitions a cut sync finished (src/read/child-resume.ts). */
  readonly resumable: boolean;
  /** A page's total counts the whole stream, so it is an estimate of it (false: one partition's only). */
  readonly totalIsStream: boolean;
  /** The latest instant a final state may claim, given the server clock at the stream's first answer. */
  stateCap(streamStart: number): number;
}

/** A top-level list such as /v1/orders: one partition. */
export class SingleList implements PartitionRouter {
  readonly resumable = false;
  readonly totalIsStream = true;

  async *slices(): AsyncGenerator<Slice> {
    yield undefined;
  }

  stateCap(streamStart: number): number {
    return streamStart;
  }
}

/**
 * A per-product list such as /v1/products/{prd_id}/images: one partition per
 * product of the shared product list, whatever the products stream's own state.
 */
export class PerProduct implements PartitionRouter {
  readonly unit = 'product';
  readonly resumable = true;
  readonly totalIsStream = false;

  constructor(
    private readonly products: ProductList,
    /** The name under which the products list embeds these children (`embed=images`). */
    private readonly embeddedAs?: EmbeddedName
  ) {}

  /**
   * A stream whose records the list embeds follows the list as it is read, so
   * that each product's arrays are taken while fresh instead of held until the
   * last page. A stream that needs a request per product waits for the whole
   * list: following it would queue those requests ahead of the list's next
   * page, and the list (read one page at a time) would hold every child stream
   * back (big shop, 81,012 records: 4.6 s became 6.6 s).
   */
  async *slices(): AsyncGenerator<Slice> {
    const { products } = this;
    const name = this.embeddedAs;
    const embedded = name && products.embedded?.names.includes(name) ? products.embedded : undefined;
    const ids = embedded ? products.listed() : await products.productIds();
    for await (const id of ids) yield { prd_id: id, embedded: embedded?.take(name!, id) };
  }

  /**
   * A child stream's products come from the product list, so its state also
   * stays at or before the moment that list describes: a product created after
   * the list was read has children this sync never asked for.
   */
  stateCap(streamStart: number): number {
    const listed = this.products.listedAt();
    return listed === undefined ? streamStart : Math.min(streamStart, listed);
  }
}
