import { AirbyteLogger } from 'faros-airbyte-cdk';

import { ConnectorError } from '../protocol';
import { EmbeddedChildren } from './embedded-children';
import { Heartbeat } from './heartbeat';
import { Page, Rec } from './pagination';
import { WakeUps } from './wake-ups';

export type ProductKey = string | number;

/** How many there are: `exact` once counted to the end, else what the API said (an estimate). */
export interface Size {
  count: number;
  exact: boolean;
}

/** A product's slice; `embedded` holds its children when the products list carried them whole. */
export type Slice = { prd_id: string | number; embedded?: Rec[] } | undefined;

/** How the ProductList reads the products list; provided by the source (the products stream's own read). */
export interface ProductListSource {
  /** Every page of the products list, normalized, never filtered by any state. */
  pages(): AsyncIterable<Page>;
  /** The server's clock (ms) at the list's earliest answer; undefined until one carried a Date header. */
  serverTime(): number | undefined;
}

/** A stream's hold on the one read of the list: it iterates `pages()` and must call `end()` however it ends. */
export interface ProductListRead {
  /** The list's pages, read once; their ids are kept for the child streams. */
  pages(): AsyncGenerator<Page>;
  /** The emitting stream is done: with its error if it failed, even before its first request. Idempotent. */
  end(error?: unknown): void;
}

/**
 * The products list, read once per sync however many streams need it: the
 * products stream emits its records, the four per-product child streams slice
 * by its ids (and src/read/existence.ts picks witnesses from them).
 *
 * ProductList is the one owner of that read and of its outcome. When a selected
 * stream emits the list, the sync reserves the read for it (`reserve()`) before
 * any stream starts, so children wait for that stream's pages instead of
 * reading the list twice; the reservation settles every waiter whatever way
 * the stream ends. Otherwise the first `productIds()` starts an ids-only read.
 * Either way a failure reaches every waiter, present and future, as the same
 * error. Only ids are kept, so memory stays small however many products the shop has.
 *
 * Child streams follow the list as it is read (`listed()`) rather than wait for
 * its end: what the list embeds is handed to them while fresh, instead of every
 * product's arrays being held until the last page (26 MB more peak memory at
 * 13,000 products, growing with the product count).
 */
export class ProductList {
  private outcome?: Outcome;
  private startedAt?: number;
  /** The total the list's first answer that carried one gave. */
  private listedTotal?: number;
  /** Every id listed so far, in list order. */
  private readonly ids: ProductKey[] = [];
  /** Followers waiting for more ids or for the outcome. */
  private readonly followers = new WakeUps();

  /**
   * @param embedded where the list was asked to embed child lists
   *   (src/read/embedded-children.ts): their arrays are taken out of each product
   *   as it passes, for the child streams.
   */
  constructor(
    private readonly source: ProductListSource,
    readonly embedded?: EmbeddedChildren,
    /** Where the ids-only read (no stream emits the list) says it is still going: it emits nothing itself. */
    private readonly logger?: AirbyteLogger
  ) {}

  /** Reserves the read for the stream that emits the list's records. At most once, before streams start. */
  reserve(): ProductListRead {
    if (this.outcome) throw new Error('The product list read is already owned.');
    const outcome = (this.outcome = new Outcome(() => this.followers.wakeAll()));
    return {
      pages: () => this.read(outcome),
      end: (error?: unknown) =>
        outcome.reject(error ?? new ConnectorError('The products stream ended before its list was read to the end, so per-product streams could not be read.', 'system_error')),
    };
  }

  /** The ids of every listed product, once the whole list was read; rejects with the read's failure. */
  productIds(): Promise<ProductKey[]> {
    return this.started().promise;
  }

  /**
   * Every listed product's id, in list order, as soon as its page was read;
   * ends with the list. Throws the read's failure as soon as there is one.
   */
  async *listed(): AsyncGenerator<ProductKey> {
    const outcome = this.started();
    for (let next = 0; ; ) {
      if (outcome.failure) throw outcome.failure.error;
      if (next < this.ids.length) yield this.ids[next++];
      else if (outcome.settled) return;
      else await this.followers.next();
    }
  }

  /** How many products the list holds: exact once read to the end, else the total its answers gave; undefined when neither is known. */
  size(): Size | undefined {
    if (this.outcome?.settled && !this.outcome.failure) return { count: this.ids.length, exact: true };
    return this.listedTotal === undefined ? undefined : { count: this.listedTotal, exact: false };
  }

  /**
   * The moment the list describes, for capping the state of streams sliced by
   * it: the server's clock at its first answer, or the local clock when the
   * read started if the server sends no Date header. Undefined before the read.
   */
  listedAt(): number | undefined {
    if (this.startedAt === undefined) return undefined;
    return this.source.serverTime() ?? this.startedAt;
  }

  /** The read's outcome, starting an ids-only read when no stream reserved it. */
  private started(): Outcome {
    if (!this.outcome) {
      const outcome = (this.outcome = new Outcome(() => this.followers.wakeAll()));
      void (async () => {
        const heartbeat = this.logger && Heartbeat.start(
            this.logger,
            () => `reading the products list for the per-product streams: ${this.ids.length}${this.listedTotal === undefined ? '' : ` of about ${this.listedTotal}`} products listed so far`
          );
        try {
          for await (const _page of this.read(outcome)) void _page;
        } catch {
          // read() has rejected the outcome with this error.
        } finally {
          heartbeat?.stop();
        }
      })();
    }
    return this.outcome;
  }


  private async *read(outcome: Outcome): AsyncGenerator<Page> {
    this.startedAt ??= Date.now();
    try {
      for await (const page of this.source.pages()) {
        this.listedTotal ??= page.total;
        for (const record of page.records) {
          this.embedded?.takeFrom(record);
          this.ids.push(record.id);
        }
        this.followers.wakeAll();
        yield page;
        await this.embedded?.room(HELD_PRODUCTS, STALL_MS);
      }
      outcome.resolve(this.ids);
    } catch (error) {
      outcome.reject(error);
      throw error;
    } finally {
      // The consumer stopped early (its own failure): nothing more will come.
      outcome.reject(new ConnectorError('The products list was not read to the end, so per-product streams could not be read.', 'system_error'));
    }
  }
}

/** How far the products list may run ahead of the child streams that take its embedded arrays (in products). */
export const HELD_PRODUCTS = 200;
/** How long the list waits for a child stream to take an array before it stops waiting for them. */
export const STALL_MS = 2_000;

/** Settles once; later calls are ignored, so the first failure is the one every waiter sees. */
class Outcome {
  readonly promise: Promise<ProductKey[]>;
  settled = false;
  failure?: { error: unknown };
  private settle!: { resolve: (ids: ProductKey[]) => void; reject: (error: unknown) => void };

  constructor(private readonly onSettled: () => void) {
    this.promise = new Promise<ProductKey[]>((resolve, reject) => (this.settle = { resolve, reject }));
    this.promise.catch(() => {}); // observed by whoever awaits productIds()
  }

  resolve(ids: ProductKey[]): void {
    if (this.settled) return;
    this.settled = true;
    this.settle.resolve(ids);
    this.onSettled();
  }

  reject(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.failure = { error };
    this.settle.reject(error);
    this.onSettled();
  }
}
