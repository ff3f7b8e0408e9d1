import { ConnectorError } from './errors';
import { Page } from './pagination';

type Key = string | number;

/**
 * The products list, read once per sync however many streams need it: the
 * products stream emits it, and the four per-product child streams slice by its
 * ids. When the products stream is selected, the children wait for its read
 * (whatever its incremental state, the pages it taps are unfiltered); otherwise
 * the first child to ask triggers an ids-only read of the same pages.
 * Only ids are kept, so memory stays small however large the catalog.
 */
export class ProductCatalog {
  private ids?: { promise: Promise<Key[]>; resolve: (ids: Key[]) => void; reject: (e: unknown) => void };
  private list?: () => AsyncIterable<Page>;

  /** The products stream registers how to read the list. */
  setLister(list: () => AsyncIterable<Page>): void {
    this.list = list;
  }

  /** Called before streams start when the products stream is selected, so children wait for its read. */
  expectRead(): void {
    this.pending();
  }

  productIds(): Promise<Key[]> {
    if (!this.ids) {
      const pending = this.pending();
      void (async () => {
        try {
          for await (const _page of this.list!()) void _page;
        } catch {
          // tap() has already rejected the ids with this error.
        }
      })();
      return pending.promise;
    }
    return this.ids.promise;
  }

  /** Passes the products pages through, keeping their ids for the child streams. */
  async *tap(pages: AsyncIterable<Page>): AsyncGenerator<Page> {
    const pending = this.pending();
    const ids: Key[] = [];
    let complete = false;
    try {
      for await (const page of pages) {
        for (const record of page.records) ids.push(record.id);
        yield page;
      }
      complete = true;
      pending.resolve(ids);
    } catch (error) {
      pending.reject(error);
      throw error;
    } finally {
      if (!complete) {
        pending.reject(
          new ConnectorError('The products list was not read to the end, so per-product streams could not be read.', 'system_error')
        );
      }
    }
  }

  private pending() {
    if (!this.ids) {
      let resolve!: (ids: Key[]) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<Key[]>((res, rej) => ((resolve = res), (reject = rej)));
      promise.catch(() => {}); // observed by whoever awaits productIds()
      this.ids = { promise, resolve, reject };
    }
    return this.ids;
  }
}
