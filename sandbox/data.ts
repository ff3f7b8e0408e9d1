import { Random } from './prng';
import { Ctx, makeChild, makeTop } from './records';
import { BASE_COUNT, CHILD_STREAMS, ChildStream, TopStream } from './resources';
import { Rec, Store } from './store';
import { END, START, lastEdit, timeline } from './time';

/**
 * Child counts every child stream must show on some product: none, one,
 * exactly one default page (20), one past it (21), and several pages (45).
 * These are the counts where offset paginators go wrong.
 */
export const SPECIAL_CHILD_COUNTS = [0, 1, 20, 21, 45] as const;

/** Parents first: products need categories, orders need products and customers, events need everything. */
const AFTER_PRODUCTS: readonly TopStream[] = ['choice_sets', 'customers', 'orders', 'shipping_zones', 'pages', 'events', 'themes'];

export function generateDataset(seed: number, scale: number): Store {
  if (!(scale > 0)) throw new Error(`scale must be a positive number, got ${scale}`);
  const store = new Store();
  const ctx: Ctx = { rnd: new Random(seed), store };

  for (const stream of ['countries', 'categories', 'products'] as const) addTop(ctx, stream, countFor(stream, scale));
  const products = store.top.products;
  products.forEach((product, index) => {
    CHILD_STREAMS.forEach((child, childIndex) => {
      addChildren(ctx, child, product, childCount(ctx, childIndex, index, products.length));
    });
  });
  for (const stream of AFTER_PRODUCTS) addTop(ctx, stream, countFor(stream, scale));

  // Generated times never pass END, so the first mutation lands on 2025-01-01T00:00:00Z.
  store.clock = Date.UTC(2025, 0, 1) - 60_000;
  return store;
}

function countFor(stream: TopStream, scale: number): number {
  const { count, scaled } = BASE_COUNT[stream];
  if (!scaled) return count;
  const n = Math.max(1, Math.round(count * scale));
  // Every special child count needs its own product, even at tiny scales.
  return stream === 'products' ? Math.max(SPECIAL_CHILD_COUNTS.length, n) : n;
}

/**
 * Child stream r puts its special counts on products r*5 .. r*5+4 (wrapping),
 * so each child stream has them on different products; the rest get 0-6.
 */
function childCount(ctx: Ctx, childIndex: number, productIndex: number, productCount: number): number {
  const k = (((productIndex - childIndex * 5) % productCount) + productCount) % productCount;
  return k < SPECIAL_CHILD_COUNTS.length ? SPECIAL_CHILD_COUNTS[k] : ctx.rnd.int(0, 6);
}

function addTop(ctx: Ctx, stream: TopStream, n: number): void {
  const times = timeline(ctx.rnd, n, START, END);
  for (const created of times) {
    const id = ctx.store.nextId(stream);
    ctx.store.top[stream].push(makeTop[stream](ctx, id, { created, updated: lastEdit(ctx.rnd, created) }));
  }
}

function addChildren(ctx: Ctx, stream: ChildStream, product: Rec, n: number): void {
  if (n === 0) return;
  const from = Date.parse(product.created_at_utc as string);
  const list = ctx.store.childrenOf(stream, product.id);
  for (const created of timeline(ctx.rnd, n, from, END)) {
    const id = ctx.store.nextId(stream);
    list.push(makeChild[stream](ctx, id, { created, updated: created }, product));
  }
}
