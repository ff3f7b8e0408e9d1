import type { AirbyteLogger } from 'faros-airbyte-cdk';

import type { EmbeddedName } from './embedded-children';
import type { Page, Rec } from './pagination';
import type { ProductList, Size, Slice } from './product-list';
import { PRODUCTS_PATH, TwoSidedFilter } from './vendor';

type Params = Record<string, string | number>;

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
  /** The `/count` requests whose counts add up to the stream's estimate; undefined: the plain `/count`. */
  readonly countParams?: Params[];
  /** How many partitions there are, as far as known yet; undefined: not known (or the stream is one list). */
  partitionCount?(): Size | undefined;
  /** The list whose `/count` estimates the number of partitions while `partitionCount()` knows none. */
  readonly partitionsCountedBy?: string;
  /** Reads one slice as several lists merged by id (a list filter's values); undefined: the slice is one list. */
  pagesOf?(list: (params: Params) => AsyncIterable<Page>, keyOf: (record: Rec) => unknown): AsyncGenerator<Page>;
  /** The stream ended, however (called by the sync once per stream). */
  ended?(): void;
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
  readonly partitionsCountedBy = PRODUCTS_PATH;

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
   * back (big shop, 81,012 records: 4.6 s became 6.6 s). So does a stream
   * whose array the list left out (a server that ignores its embed name),
   * from the first product that came without it.
   */
  async *slices(): AsyncGenerator<Slice> {
    const { products } = this;
    const name = this.embeddedAs;
    const embedded = name && products.embedded?.names.includes(name) ? products.embedded : undefined;
    let followed = 0;
    if (embedded) {
      embedded.follow(name!);
      for await (const id of products.listed()) {
        if (!embedded.carries(name!)) break;
        yield { prd_id: id, embedded: embedded.take(name!, id) };
        followed++;
      }
    }
    for (const id of (await products.productIds()).slice(followed)) yield { prd_id: id, embedded: embedded?.take(name!, id) };
  }

  partitionCount(): Size | undefined {
    return this.products.size();
  }

  /** The stream ended (read, failed, or finished by an earlier attempt): the list keeps and waits for nothing more of it. */
  ended(): void {
    if (this.embeddedAs) this.products.embedded?.release(this.embeddedAs);
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

/**
 * A top-level list read once per value of a two-sided list filter
 * (`trade=0|1` on customers, `archived=0|1` on orders: src/read/vendor.ts),
 * because the plain list may leave one side out. The side the plain list may
 * hide is read first, and what it answers decides the rest:
 *
 * - a record whose own flag says the other side proves the server ignored the
 *   parameter: that answer was the whole list, and nothing more is read;
 * - otherwise (honoured, or empty: a shop without any) the other side is read
 *   too, so the two answers are every record whatever the plain list holds.
 *
 * A shop with none costs one request more than the plain list (the empty
 * first page), plus one `/count` more for the estimate where answers carry no
 * total (the two sides' counts are added; with totals, the two first pages'
 * totals are, and no `/count` is asked). Both values are read
 * within the one slice, one after the other, because the second depends on the
 * first answer. A record both answers hold (a server that honours one value
 * and not the other, or a record whose flag changed between the two answers)
 * is emitted once: the read keeps the keys of the first answer, the only ones
 * the second can repeat (within an answer its paginator yields a record once, as for any list), so
 * memory grows with the hidden side (trade customers, archived orders), not
 * the stream; none once that answer proves the parameter ignored. Each
 * value's answer is its own list: asked newest first, each proves its order
 * and stops at the cursor on its own (src/read/newest-first.ts).
 */
export class ListFilter implements PartitionRouter {
  readonly resumable = false;
  /** Each answer's total counts one side: the pages this router yields carry the sum, or none. */
  readonly totalIsStream = true;
  readonly countParams: Params[];

  constructor(
    private readonly filter: TwoSidedFilter,
    private readonly stream: string,
    private readonly logger: AirbyteLogger
  ) {
    this.countParams = [{ [filter.param]: filter.shown }, { [filter.param]: filter.hidden }];
  }

  async *slices(): AsyncGenerator<Slice> {
    yield undefined;
  }

  stateCap(streamStart: number): number {
    return streamStart;
  }

  async *pagesOf(list: (params: Params) => AsyncIterable<Page>, keyOf: (record: Rec) => unknown): AsyncGenerator<Page> {
    const { param, field, hidden, shown } = this.filter;
    const firstAnswer = new Set<unknown>();
    let ignored = false;
    // The first side's total, held until the other side's is known (answers in the documented form carry one);
    // a side that yielded no page holds no record (the paginator yields no empty page).
    let hiddenTotal: number | undefined = 0;
    const side = async function* (value: number): AsyncGenerator<Page> {
      let first = true;
      for await (const page of list({ [param]: value })) {
        const wasIgnored = ignored;
        const records: Rec[] = [];
        for (const record of page.records) {
          const flag = record[field];
          if (typeof flag === 'boolean' && flag !== (value === hidden)) ignored = true;
          if (value === hidden) {
            // Once ignored is proven, no other answer is read: nothing left to compare with.
            if (!ignored) firstAnswer.add(keyOf(record));
          } else if (firstAnswer.has(keyOf(record))) continue;
          records.push(record);
        }
        if (value === hidden && first) hiddenTotal = page.total;
        if (value === hidden) {
          // Proven ignored here: this answer is the whole list, and its total the stream's.
          yield ignored && !wasIgnored ? { records, total: hiddenTotal, positionUnsafe: true } : { records, totalLater: hiddenTotal !== undefined, positionUnsafe: true };
        } else {
          const total = first && hiddenTotal !== undefined && page.total !== undefined ? hiddenTotal + page.total : undefined;
          yield { records, total };
        }
        first = false;
      }
    };
    yield* side(hidden);
    if (ignored) {
      this.logger.info(
        `Stream '${this.stream}': the API ignores ${param}=${hidden} (it answered records whose ${field} is not ${hidden === 1}), so that answer was the whole list; no other ${param} value is read.`
      );
      return;
    }
    yield* side(shown);
    if (ignored) this.logger.info(`Stream '${this.stream}': the API ignores ${param}=${shown}; records both answers held were emitted once.`);
  }
}
