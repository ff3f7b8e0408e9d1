import { ApiClient } from '../http';
import { ApiError } from '../protocol';
import { PRODUCTS_PATH, recordPath } from './vendor';

type Key = string | number;

/** What GET /v1/products/{id} says about a product: there, gone, or nothing trustworthy. */
export type Existence = 'exists' | 'gone' | 'unknown';

/**
 * Asks the API whether a product still exists, so that a child list's 404 is
 * only taken as "deleted since the product list was read" when the product
 * itself answers 404. A 404 from the single-product endpoint only counts once
 * the endpoint has shown, once per run, that it answers 200 for a product known
 * to exist: a server without that endpoint (404 or 405 for everything) must not
 * turn every child 404 into a silent skip. Being wrong here costs a failed
 * stream, never records.
 */
export class ProductLookup {
  /** Products whose child lists answered this run: they existed, so they can vouch for the endpoint. */
  private readonly witnesses: Key[] = [];
  private endpointWorks?: Promise<boolean>;

  constructor(private readonly client: ApiClient) {}

  /** A product whose child list answered 200. */
  answered(id: Key): void {
    if (this.witnesses.length < 8) this.witnesses.push(id);
  }

  /**
   * `candidates` are other listed products, used as the endpoint's witness when no
   * child list has answered yet. Transient failures reject, as for any request.
   */
  async existence(id: Key, stream: string, candidates: () => Promise<Key[]>): Promise<Existence> {
    const answer = await this.ask(id, stream);
    if (answer !== 'gone') return answer;
    this.endpointWorks ??= this.vouch(id, stream, candidates).catch((error) => {
      this.endpointWorks = undefined; // a failed probe proves nothing: the next 404 probes again
      throw error;
    });
    return (await this.endpointWorks) ? 'gone' : 'unknown';
  }

  private async ask(id: Key, stream: string): Promise<Existence> {
    try {
      await this.client.get(recordPath(PRODUCTS_PATH, id), undefined, stream, 'record');
      return 'exists';
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 404) return 'gone';
      // Method not allowed, not implemented, bad request: the server has no such endpoint.
      if (error.status === 400 || error.status === 405 || error.status === 501) return 'unknown';
      throw error;
    }
  }

  private async vouch(missing: Key, stream: string, candidates: () => Promise<Key[]>): Promise<boolean> {
    const witness = this.witnesses.find((w) => w !== missing) ?? (await candidates()).find((c) => c !== missing);
    if (witness === undefined) return false;
    return (await this.ask(witness, stream)) === 'exists';
  }
}

const lookups = new WeakMap<ApiClient, ProductLookup>();

/** One lookup per run (per client), shared by the four child streams. */
export function productLookup(client: ApiClient): ProductLookup {
  let lookup = lookups.get(client);
  if (!lookup) lookups.set(client, (lookup = new ProductLookup(client)));
  return lookup;
}
