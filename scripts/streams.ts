/**
 * The 14 streams as the seed declares them: the one table the tests, the demo
 * and the benchmark read (the connector's own declarations live in
 * src/streams/, the sandbox keeps its own list on purpose; tests compare them).
 */
export interface StreamRow {
  name: string;
  /** `/v1/products/{id}/images` for a product's children. */
  path: string;
  /** The connector's primary key. */
  pk: string;
  /** What the vendor form identifies records by, when it is not `pk` (shipping zones: `id`; the connector derives `uuid`). */
  vendorKey?: string;
  cursor?: string;
  /** The stream whose records these are children of. */
  parent?: 'products';
  /** One request, no paging. */
  unpaginated?: boolean;
}

export const STREAM_TABLE: readonly StreamRow[] = [
  { name: 'countries', path: '/v1/countries', pk: 'id', unpaginated: true },
  { name: 'pages', path: '/v1/pages', pk: 'id', cursor: 'created_at_utc' },
  { name: 'products', path: '/v1/products', pk: 'id', cursor: 'updated_at_utc' },
  { name: 'products_images', path: '/v1/products/{id}/images', pk: 'id', parent: 'products' },
  { name: 'choice_sets', path: '/v1/choice-sets', pk: 'id' },
  { name: 'products_reviews', path: '/v1/products/{id}/reviews', pk: 'id', cursor: 'created_at_utc', parent: 'products' },
  { name: 'product_options', path: '/v1/products/{id}/options', pk: 'id', parent: 'products' },
  { name: 'products_variations', path: '/v1/products/{id}/variations', pk: 'id', parent: 'products' },
  { name: 'customers', path: '/v1/customers', pk: 'id', cursor: 'changed_at_utc' },
  { name: 'orders', path: '/v1/orders', pk: 'id', cursor: 'changed_at_utc' },
  { name: 'shipping_zones', path: '/v1/shipping-zones', pk: 'uuid', vendorKey: 'id' },
  { name: 'events', path: '/v1/events', pk: 'id', cursor: 'created_at_utc' },
  { name: 'categories', path: '/v1/categories', pk: 'id', cursor: 'created_at_utc' },
  { name: 'themes', path: '/v1/themes', pk: 'id', cursor: 'created_at_utc' },
];

export const STREAM_ROW: Readonly<Record<string, StreamRow>> = Object.fromEntries(STREAM_TABLE.map((s) => [s.name, s]));
export const STREAM_NAMES: readonly string[] = STREAM_TABLE.map((s) => s.name);
export const CHILD_STREAM_NAMES: readonly string[] = STREAM_TABLE.filter((s) => s.parent).map((s) => s.name);
