import { Rec } from './pagination';

/** The child lists the products list can embed, by the name the API uses in `embed=`. */
export type EmbeddedName = 'images' | 'variations';

/**
 * The vendor documents no cap for embedded arrays, and a cut array looks like
 * a whole one. An array this long or longer is read again from the product's
 * own (paginated) list: it costs a request for the rare product with many
 * images or variations, and never a record when the server cut it short.
 * Below every page size the vendor's clients use (20 to 100).
 */
export const EMBEDDED_TRUSTED_BELOW = 10;

/**
 * The children the products list carried, held from the products read until
 * each child stream takes its product's array. Only arrays short enough to be
 * whole are kept: a product with none here is read from its own list.
 */
export class EmbeddedChildren {
  private readonly byName = new Map<EmbeddedName, Map<string, Rec[]>>();

  constructor(readonly names: readonly EmbeddedName[]) {
    for (const name of names) this.byName.set(name, new Map());
  }

  /** The `embed` query parameter for the products list, or nothing when no child stream wants one. */
  get params(): Record<string, string> | undefined {
    return this.names.length ? { embed: this.names.join(',') } : undefined;
  }

  /**
   * Takes the embedded arrays out of a product record (so that products are
   * emitted the same with or without embedding) and keeps the trustworthy ones.
   */
  takeFrom(product: Rec): void {
    for (const [name, kept] of this.byName) {
      const value = product[name];
      delete product[name];
      if (Array.isArray(value) && value.length < EMBEDDED_TRUSTED_BELOW) kept.set(String(product.id), value);
    }
  }

  /** A product's embedded array, handed over once; undefined when it must be read from its own list. */
  take(name: EmbeddedName, productId: string | number): Rec[] | undefined {
    const kept = this.byName.get(name);
    const value = kept?.get(String(productId));
    kept?.delete(String(productId));
    return value;
  }
}
