/**
 * What the live API is, in one place: the names it uses for parameters, paths
 * and fields that no configuration changes. Every part of the read path asks
 * here rather than spelling a name itself, so that a new vendor parameter is a
 * change to this file and the one part that sends it. Each fact's source
 * (vendor docs, clients, a live shop) is in docs/vendor-api.md. No imports:
 * discover loads the stream classes, which read these names.
 */

/** The product list, and the path whose 200 / 404 says whether one product exists. */
export const PRODUCTS_PATH = '/v1/products';

/** The events log: a pollable list of the webhook events, read as a change feed for other streams. */
export const EVENTS = {
  stream: 'events',
  path: '/v1/events',
  /** When the event happened (derived from `createdAt` where the live form sends it). */
  time: 'created_at_utc',
  /** The changed record's kind and id: the live names first, then the documented form. */
  subjectType: ['subjectType', 'resource_type'],
  subjectId: ['subjectId', 'resource_id'],
  /** Without a subject: the topic's prefix (`order.updated`) and the payload's id. */
  topic: ['topic', 'type'],
  payload: ['data', 'payload'],
  /**
   * Events with a greater id (an integer; ids grow as events are written) and
   * events created after an ISO 8601 instant, exclusive: /work/vendor-ref/events.yaml.
   * Neither is trusted until the answer shows it honoured (src/read/change-feed.ts).
   */
  sinceId: 'since_id',
  createdAfter: 'created_after',
} as const;

/** The record path under a list: `GET /v1/orders/{id}`. */
export function recordPath(listPath: string, id: string | number): string {
  return `${listPath}/${encodeURIComponent(String(id))}`;
}

/** `GET <list>/count` answers `{"count": n}`. */
export function countPath(listPath: string): string {
  return `${listPath}/count`;
}

/** A per-product list's path, from its template (`/v1/products/{prd_id}/images`). */
export function childListPath(template: string, productId: string | number): string {
  return template.replace('{prd_id}', encodeURIComponent(String(productId)));
}

/** The offset parameter of every paged list (the page size's name is configured: `limit` or `count`). */
export const OFFSET_PARAM = 'offset';

/** Related lists a list carries inline: `embed=images,variations,options` on the products list (products.yaml). */
export const EMBED_PARAM = 'embed';

/** A list filtered to some records by id: `ids=1,2,3` (orders), at most this many ids a request (orders.yaml). */
export const IDS_PARAM = 'ids';
export const IDS_MAX = 50;

/**
 * Orders created at or after a moment: `from` (UNIX seconds) with `sort=date`.
 * The server's time zone for `from` is not documented and zones reach ±14 h,
 * so `from` is asked this much earlier; the client-side filter trims the rest.
 */
export const CREATED_SINCE = {
  from: 'from',
  sort: 'sort',
  sortValue: 'date',
  marginSeconds: 24 * 60 * 60,
} as const;

/**
 * Newest first: `sort=created_desc` on the customers, categories, pages and
 * themes lists and on a product's reviews (customers.yaml, categories.yaml,
 * pages.yaml, themes.yaml, product_reviews.yaml). Not trusted until the
 * answer shows it honoured (src/read/newest-first.ts).
 */
export const NEWEST_FIRST = { param: 'sort', value: 'created_desc' } as const;

/** The most records per page the live API is known to serve: it caps the page size silently. */
export const VENDOR_PAGE_CAP = 100;

/**
 * A list filter with two values whose plain list may leave one side out
 * (src/read/partitions.ts ListFilter). `hidden` is the side the plain list may
 * hide; `field` is the record's own flag, which proves whether the server
 * honoured the parameter. Customers: `trade` (0 = regular, 1 = trade), and
 * the plain list holds the regular ones only by the vendor's help page;
 * `/v1/customers/count` requires `trade` (customers.yaml). Orders: `archived`
 * (0 = non-archived, 1 = archived); what the plain list holds is not stated
 * (orders.yaml), so it is read as if it hid them.
 */
export interface TwoSidedFilter {
  readonly param: string;
  readonly field: string;
  readonly hidden: 1;
  readonly shown: 0;
}

export const TRADE: TwoSidedFilter = { param: 'trade', field: 'trade', hidden: 1, shown: 0 };
export const ARCHIVED: TwoSidedFilter = { param: 'archived', field: 'archived', hidden: 1, shown: 0 };
