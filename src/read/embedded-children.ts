import { Rec } from './pagination';
import { EMBED_PARAM } from './vendor';
import { WakeUps } from './wake-ups';

/** The child lists the products list can embed, by the name the API uses in `embed=` (products.yaml). */
export type EmbeddedName = 'images' | 'variations' | 'options';

/**
 * What one run has learned about how the API cuts the arrays it embeds, for
 * one name. The vendor documents no cap, and a cut array looks like a whole
 * one, so no length is trusted from a guess: a server that cuts at N sends
 * no array longer than N, and every product with more than N children as an
 * array of exactly N. So an array shorter than the longest array of the same
 * name this run has seen is whole, whatever N is; an array as long as the
 * longest seen (the first product's included) may be cut, and is read from
 * the product's own list instead. That read is also the check: a list
 * longer than its embedded array proves the cut, which is logged once.
 *
 * Cost: one request per product whose array ties or beats the longest seen
 * when its stream takes it. Decisions are made when a child stream takes a
 * product, after the product's whole page of the list was seen, so only the
 * products holding a page's longest arrays are read; on a server that cuts,
 * those are exactly the products whose arrays may be cut, which no rule can
 * avoid reading. A server seen cutting at one length and then sending a
 * longer array does not cut at one length: from then on no array of that
 * name is trusted.
 */
class CutEvidence {
  /** The longest array seen this run: the server sends at least this many, so no shorter array was cut. */
  longestSeen = 0;
  /** The embedded length at which a product's own list proved an array cut short. */
  cutAt?: number;

  trusts(length: number): boolean {
    if (this.cutAt === undefined) return length < this.longestSeen;
    // An array longer than a proven cut: this server does not cut at one length, so no length is safe.
    return length < this.cutAt && this.longestSeen <= this.cutAt;
  }
}

/**
 * The children the products list carried, held from the products read until
 * each child stream takes its product's array. An array is handed over only
 * when the run's evidence shows it is whole (see CutEvidence); otherwise the
 * product is read from its own list, and the stream reports what that list
 * held (checked()).
 */
export class EmbeddedChildren {
  private readonly byName = new Map<EmbeddedName, Map<string, Rec[]>>();
  private readonly evidence = new Map<EmbeddedName, CutEvidence>();
  /** Lengths of arrays not trusted, by name and product, until the product's own list was read. */
  private readonly doubted = new Map<EmbeddedName, Map<string, number>>();
  /** Names a product came without: the server may not honour them, which is said once per name. */
  private readonly missing = new Set<EmbeddedName>();
  /** The list's read, waiting for the child streams to take arrays (room()). */
  private readonly taken = new WakeUps();
  /** Names whose stream follows the list now: the list waits for them (room()). */
  private readonly following = new Set<EmbeddedName>();
  /** Names whose stream ended (done, failed, or finished by an earlier attempt): their arrays are no longer kept. */
  private readonly ended = new Set<EmbeddedName>();

  constructor(
    readonly names: readonly EmbeddedName[],
    private readonly log: (message: string) => void = () => {}
  ) {
    for (const name of names) {
      this.byName.set(name, new Map());
      this.evidence.set(name, new CutEvidence());
      this.doubted.set(name, new Map());
    }
  }

  /** The `embed` query parameter for the products list, or nothing when no child stream wants one. */
  get params(): Record<string, string> | undefined {
    return this.names.length ? { [EMBED_PARAM]: this.names.join(',') } : undefined;
  }

  /**
   * Takes the embedded arrays out of a product record (so that products are
   * emitted the same with or without embedding) and keeps them until their
   * stream takes them.
   */
  takeFrom(product: Rec): void {
    for (const [name, kept] of this.byName) {
      const value = product[name];
      delete product[name];
      if (this.ended.has(name)) continue;
      if (!Array.isArray(value)) {
        this.carriedNo(name, product.id);
        continue;
      }
      const evidence = this.evidence.get(name)!;
      evidence.longestSeen = Math.max(evidence.longestSeen, value.length);
      kept.set(String(product.id), value);
    }
  }

  /** false once a product came without this name's array: the server may not honour it. */
  carries(name: EmbeddedName): boolean {
    return !this.missing.has(name);
  }

  /** A product without the array asked for is read from its own list, as without embedding: said once per name. */
  private carriedNo(name: EmbeddedName, productId: unknown): void {
    if (this.missing.has(name)) return;
    this.missing.add(name);
    this.log(
      `The products list did not embed ${name} although ${EMBED_PARAM}=${name} was asked (product ${JSON.stringify(productId)} came without them): every product that comes without embedded ${name} is read from its own list, one request or more each, as without embedding.`
    );
  }

  /**
   * A product's embedded array, handed over once when it is known whole;
   * undefined when it must be read from its own list (then report with checked()).
   */
  take(name: EmbeddedName, productId: string | number): Rec[] | undefined {
    const key = String(productId);
    const kept = this.byName.get(name);
    const value = kept?.get(key);
    kept?.delete(key);
    this.taken.wakeAll();
    if (value === undefined) return undefined;
    if (this.evidence.get(name)!.trusts(value.length)) return value;
    this.doubted.get(name)!.set(key, value.length);
    return undefined;
  }

  /** The stream of `name` follows the list from now on, taking each product's array (the list may wait for it). */
  follow(name: EmbeddedName): void {
    if (!this.ended.has(name)) this.following.add(name);
  }

  /** The stream of `name` ended, however: its arrays are dropped and no longer kept, and the list no longer waits for it. */
  release(name: EmbeddedName): void {
    this.ended.add(name);
    this.following.delete(name);
    this.byName.get(name)?.clear();
    this.taken.wakeAll();
  }

  /**
   * Resolves once the streams following the list hold at most `limit` products' arrays not yet taken,
   * so that the products list, read faster than a child stream that asks for some products' own lists,
   * does not run ahead by the whole shop (with default options the big shop's peak grew up to 1.04 × as
   * the shop doubled). Waited for: the streams that follow the list now (follow()) and still get their
   * arrays; not a stream that has not started, has ended (release()), or whose arrays the server left
   * out. A wait lasts at most `stallMs` without a take (a stream held back by the rate limit): then the
   * list reads its next page, and waits again after it.
   */
  async room(limit: number, stallMs: number): Promise<void> {
    while (this.held() > limit) {
      if (!(await this.taken.next(stallMs))) return;
    }
  }

  /** The most products whose arrays of one name wait for a stream that follows the list. */
  private held(): number {
    let most = 0;
    for (const name of this.following) if (!this.missing.has(name)) most = Math.max(most, this.byName.get(name)!.size);
    return most;
  }

  /** A product whose embedded array was not trusted was read from its own list: `listed` records. */
  checked(name: EmbeddedName, productId: string | number, listed: number): void {
    const doubted = this.doubted.get(name);
    const key = String(productId);
    const embeddedLength = doubted?.get(key);
    if (embeddedLength === undefined) return;
    doubted!.delete(key);
    if (listed <= embeddedLength) return;
    const evidence = this.evidence.get(name)!;
    const first = evidence.cutAt === undefined;
    if (first || embeddedLength < evidence.cutAt!) evidence.cutAt = embeddedLength;
    if (first) {
      this.log(
        `The API cuts embedded ${name} short without saying so: product ${JSON.stringify(productId)} carried ${embeddedLength} and its own list holds ${listed}. Every product whose embedded ${name} hold ${embeddedLength} or more is read from its own list; shorter arrays are whole.`
      );
    }
  }
}
