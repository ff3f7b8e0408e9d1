import { CHILD_STREAMS, ChildStream, Stream, TOP_STREAMS, TopStream } from './resources';

/** A stored record, always in the seed form; the vendor form is a view (see present.ts). */
export type Rec = { id: number; [field: string]: unknown };

/** Ids handed out for nested objects that are not streams but still need unique ids. */
export type SubId = 'option_values' | 'choices' | 'order_items';

/**
 * The shop's current state. Lists are kept in ascending id order because new
 * ids only ever grow, so "append" keeps them sorted and pages are plain slices.
 */
export class Store {
  readonly top = Object.fromEntries(TOP_STREAMS.map((s) => [s, [] as Rec[]])) as Record<TopStream, Rec[]>;
  /** Child records keyed by product id; a product without children has no entry. */
  readonly children = Object.fromEntries(CHILD_STREAMS.map((s) => [s, new Map<number, Rec[]>()])) as Record<
    ChildStream,
    Map<number, Rec[]>
  >;
  private readonly lastId = new Map<Stream | SubId, number>();
  /** Epoch ms of the latest timestamp handed out; mutations move it forward. */
  clock = 0;

  nextId(kind: Stream | SubId): number {
    const id = (this.lastId.get(kind) ?? 0) + 1;
    this.lastId.set(kind, id);
    return id;
  }

  /** A fresh "now" later than anything stored, one minute after the previous one. */
  tick(): number {
    this.clock += 60_000;
    return this.clock;
  }

  product(id: number): Rec | undefined {
    return findById(this.top.products, id);
  }

  childrenOf(stream: ChildStream, productId: number): Rec[] {
    let list = this.children[stream].get(productId);
    if (!list) this.children[stream].set(productId, (list = []));
    return list;
  }
}

/** Binary search: lists are sorted by id. */
export function findById(list: Rec[], id: number): Rec | undefined {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].id === id) return list[mid];
    if (list[mid].id < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
