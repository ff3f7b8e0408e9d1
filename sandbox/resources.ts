// The sandbox's own list of the API's resources. Deliberately not shared with
// src/: if the connector misspells a path or stream, the sandbox must disagree.

export const TOP_STREAMS = [
  'countries', 'pages', 'products', 'choice_sets', 'customers', 'orders',
  'shipping_zones', 'events', 'categories', 'themes',
] as const;
export const CHILD_STREAMS = ['products_images', 'products_reviews', 'product_options', 'products_variations'] as const;

export type TopStream = (typeof TOP_STREAMS)[number];
export type ChildStream = (typeof CHILD_STREAMS)[number];
export type Stream = TopStream | ChildStream;

/** Truth and admin output order: the order the seed contract lists them in. */
export const STREAMS: readonly Stream[] = [
  'countries', 'pages', 'products', 'products_images', 'choice_sets', 'products_reviews',
  'product_options', 'products_variations', 'customers', 'orders', 'shipping_zones',
  'events', 'categories', 'themes',
];

/** URL segment under /v1 (top level) or under /v1/products/{id} (children). */
export const PATH_OF: Record<Stream, string> = {
  countries: 'countries', pages: 'pages', products: 'products', choice_sets: 'choice-sets',
  customers: 'customers', orders: 'orders', shipping_zones: 'shipping-zones', events: 'events',
  categories: 'categories', themes: 'themes', products_images: 'images',
  products_reviews: 'reviews', product_options: 'options', products_variations: 'variations',
};

/** Record counts at scale 1. Countries and themes do not grow with the shop. */
export const BASE_COUNT: Record<TopStream, { count: number; scaled: boolean }> = {
  countries: { count: 30, scaled: false }, pages: { count: 25, scaled: true },
  products: { count: 60, scaled: true }, choice_sets: { count: 12, scaled: true },
  customers: { count: 150, scaled: true }, orders: { count: 300, scaled: true },
  shipping_zones: { count: 8, scaled: true }, events: { count: 200, scaled: true },
  categories: { count: 25, scaled: true }, themes: { count: 5, scaled: false },
};

/** Streams whose records carry updated_at_utc (and so can be "updated"). */
export const UPDATABLE: readonly Stream[] = ['pages', 'products', 'customers', 'orders', 'categories', 'themes'];

/** Streams touch_all adds to: the top-level incremental ones. */
export const INCREMENTAL_TOP: readonly TopStream[] = ['pages', 'customers', 'orders', 'events', 'categories', 'themes'];

export function isStream(s: unknown): s is Stream {
  return typeof s === 'string' && (STREAMS as readonly string[]).includes(s);
}

export function isChild(s: Stream): s is ChildStream {
  return (CHILD_STREAMS as readonly string[]).includes(s);
}
