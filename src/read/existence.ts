import { ApiClient } from '../http';
import { ApiError } from '../protocol';
import { PRODUCTS_PATH, recordPath } from './vendor';

type Key = string | number;

/** What GET <list>/{id} says about a record: there, gone, or nothing trustworthy. */
export type Existence = 'exists' | 'gone' | 'unknown';

/**
 * The one existence rule: is this 404 a deletion? A 404 from a single-record
 * endpoint (`GET /v1/products/{id}`, `/v1/orders/{id}`, ...) only counts once
 * that endpoint has shown, once per run, that it answers 200 for a record known
 * to exist: a server without the endpoint (404 or 405 for everything) must not
 * turn every 404 into a silent deletion. Known to exist: a record its list read
 * this run (a witness), or one the endpoint itself returned as asked. Being
 * wrong here costs a failed stream, never records.
 */
export class RecordExistence {
  /** Records known to exist this run, to vouch for the endpoint. */
  private readonly witnesses: Key[] = [];
  private endpointWorks?: Promise<boolean>;

  constructor(
    private readonly client: ApiClient,
    private readonly listPath: string
  ) {}

  /** A record known to exist (listed, or its child list answered 200). */
  answered(id: Key): void {
    if (this.witnesses.length < 8) this.witnesses.push(id);
  }

  /** The endpoint answered 200 with the record asked for: it works. */
  proven(): void {
    this.endpointWorks = Promise.resolve(true);
  }

  /**
   * Asks the endpoint for a record. `candidates` are other known records, used
   * as the endpoint's witness when none was seen yet. Transient failures reject,
   * as for any request.
   */
  async existence(id: Key, stream: string, candidates: () => Promise<Key[]>): Promise<Existence> {
    const answer = await this.ask(id, stream);
    if (answer !== 'gone') return answer;
    return (await this.confirmsDeletion(id, stream, candidates)) ? 'gone' : 'unknown';
  }

  /** A 404 for `id` from this endpoint: whether it means deleted (the endpoint is proven, by a witness if need be). */
  confirmsDeletion(id: Key, stream: string, candidates: () => Promise<Key[]>): Promise<boolean> {
    this.endpointWorks ??= this.vouch(id, stream, candidates).catch((error) => {
      this.endpointWorks = undefined; // a failed probe proves nothing: the next 404 probes again
      throw error;
    });
    return this.endpointWorks;
  }

  private async ask(id: Key, stream: string): Promise<Existence> {
    try {
      await this.client.get(recordPath(this.listPath, id), undefined, stream, 'record');
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
    const witness = this.witnesses.find((w) => String(w) !== String(missing)) ?? (await candidates()).find((c) => String(c) !== String(missing));
    if (witness === undefined) return false;
    return (await this.ask(witness, stream)) === 'exists';
  }
}

const rules = new WeakMap<ApiClient, Map<string, RecordExistence>>();

/** One rule per run (per client) and list: shared by every stream that asks about that list's records. */
export function existenceOf(client: ApiClient, listPath: string): RecordExistence {
  let byPath = rules.get(client);
  if (!byPath) rules.set(client, (byPath = new Map()));
  let rule = byPath.get(listPath);
  if (!rule) byPath.set(listPath, (rule = new RecordExistence(client, listPath)));
  return rule;
}

/** The products' rule, asked by the four child streams. */
export function productLookup(client: ApiClient): RecordExistence {
  return existenceOf(client, PRODUCTS_PATH);
}
