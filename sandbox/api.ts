import { errorBody } from './errors';
import { present } from './present';
import { CHILD_STREAMS, ChildStream, PATH_OF, STREAMS, Stream, TOP_STREAMS, isChild } from './resources';
import { Rec, Store, findById } from './store';
import { Settings } from './types';

// The public /v1 surface as pure functions of (store, settings, request):
// no sockets here, so pagination rules read in one place.

export interface Target {
  stream: Stream;
  /** Set for the per-product child resources, and for GET /v1/products/{id}. */
  productId?: number;
  /** GET /v1/products/{id}, /v1/orders/{id}, /v1/customers/{id}: one record, not a list. */
  single?: boolean;
  /** The record asked for by a single-record request. */
  recordId?: number;
  /** GET /v1/<resource>/count: `{"count": n}`. */
  count?: boolean;
}

type Obj = Record<string, unknown>;

export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The answer to an authenticated, unfaulted API request. */
export function answer(store: Store, settings: Settings, vendor: boolean, method: string, url: URL): ApiResponse {
  const target = route(url.pathname);
  if (!target) return { status: 404, body: errorBody(`Not found: ${url.pathname}`) };
  if (method !== 'GET') return { status: 405, body: errorBody(`${method} is not allowed`), headers: { allow: 'GET' } };
  if (target.single && target.stream === 'products') return singleProduct(store, settings, vendor, target.productId!);
  if (target.single) return singleRecord(store, vendor, target.stream, target.recordId!);
  if (target.count) return countOf(store, settings, target.stream, url.searchParams);
  return listPage(store, settings, vendor, target, url.searchParams);
}

const TOP_BY_PATH = new Map(TOP_STREAMS.map((s) => [PATH_OF[s], s]));
const CHILD_BY_PATH = new Map(CHILD_STREAMS.map((s) => [PATH_OF[s], s]));
const DEFAULT_PAGE_SIZE = 20;

/** Maps a path to a resource, or null for anything the API does not have. */
export function route(pathname: string): Target | null {
  const top = /^\/v1\/([a-z-]+)$/.exec(pathname);
  if (top) {
    const stream = TOP_BY_PATH.get(top[1]);
    return stream ? { stream } : null;
  }
  const count = /^\/v1\/([a-z-]+)\/count$/.exec(pathname);
  if (count) {
    const stream = TOP_BY_PATH.get(count[1]);
    return stream ? { stream, count: true } : null;
  }
  const single = /^\/v1\/products\/([1-9]\d{0,15})$/.exec(pathname);
  if (single) return { stream: 'products', productId: Number(single[1]), single: true };
  const record = /^\/v1\/(orders|customers)\/([1-9]\d{0,15})$/.exec(pathname);
  if (record) return { stream: record[1] as Stream, recordId: Number(record[2]), single: true };
  const child = /^\/v1\/products\/([1-9]\d{0,15})\/([a-z]+)$/.exec(pathname);
  if (child) {
    const stream = CHILD_BY_PATH.get(child[2]);
    return stream ? { stream, productId: Number(child[1]) } : null;
  }
  return null;
}

/** A non-negative integer query value; anything else is the client's mistake. */
function intParam(query: URLSearchParams, name: string, fallback: number, min: number): number | string {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    return `Invalid "${name}": expected an integer >= ${min}`;
  }
  return Number(raw);
}

/**
 * GET /v1/products/{id}: the product as the list serves it (bare in the vendor
 * form, under "data" in the seed form), 404 once deleted. With the setting
 * productById off the server behaves as one without that endpoint: 404 for all.
 */
function singleProduct(store: Store, settings: Settings, vendor: boolean, id: number): ApiResponse {
  const product = settings.productById ? store.product(id) : undefined;
  if (!product) return { status: 404, body: errorBody(`Product ${id} not found`) };
  const body = present('products', product, vendor);
  return { status: 200, body: vendor ? body : { data: body } };
}

/** GET /v1/orders/{id}, /v1/customers/{id}: the record as the list serves it (bare in the vendor form), 404 once deleted. */
function singleRecord(store: Store, vendor: boolean, stream: Stream, id: number): ApiResponse {
  const rec = findById(store.top[stream as 'orders' | 'customers'], id);
  if (!rec) return { status: 404, body: errorBody(`No ${stream} with id ${id}`) };
  const body = present(stream, rec, vendor);
  return { status: 200, body: vendor ? body : { data: body } };
}

/**
 * `ids=1,2,3` on the orders list, as the vendor's clients pass it: honoured,
 * ignored, or honoured with two orders not asked for (see Settings.idsFilter).
 */
function filterByIds(list: Rec[], query: URLSearchParams, mode: Settings['idsFilter']): Rec[] | string {
  const raw = query.get('ids');
  if (raw === null || mode === 'ignored') return list;
  if (!/^\d+(,\d+)*$/.test(raw)) return 'Invalid "ids": expected comma-separated order ids';
  // orders.yaml: at most 50 ids.
  if (raw.split(',').length > 50) return 'Invalid "ids": at most 50 order ids';
  const asked = new Set(raw.split(',').map(Number));
  const extra = mode === 'extra' ? list.filter((r) => !asked.has(r.id)).slice(0, 2) : [];
  const wanted = new Set([...asked, ...extra.map((r) => r.id)]);
  return list.filter((r) => wanted.has(r.id));
}

/** GET /v1/<resource>/count, as the vendor documents it for categories and clients use it for other lists. */
function countOf(store: Store, settings: Settings, stream: Stream, query: URLSearchParams): ApiResponse {
  if (!settings.counts) return { status: 404, body: errorBody(`Not found: /v1/${PATH_OF[stream]}/count`) };
  const side = SIDES[stream];
  if (side && settings[side.setting] === 'hidden' && stream === 'customers' && query.get(side.param) === null) {
    return { status: 400, body: errorBody(`"${side.param}" is required`) };
  }
  const list = side ? bySide(store.top[stream as keyof Store['top']], side, settings, query) : store.top[stream as keyof Store['top']];
  return typeof list === 'string' ? { status: 400, body: errorBody(list) } : { status: 200, body: { count: list.length } };
}

/** The two-valued list filters (customers.yaml `trade`, orders.yaml `archived`) and the stored flag each reads. */
const SIDES: Partial<Record<Stream, { param: string; flag: string; setting: 'tradeFilter' | 'archivedFilter' }>> = {
  customers: { param: 'trade', flag: 'is_trade', setting: 'tradeFilter' },
  orders: { param: 'archived', flag: 'is_archived', setting: 'archivedFilter' },
};

/** The records a list or count holds for its `trade` / `archived` parameter, as the setting says the server treats it. */
function bySide(list: Rec[], side: NonNullable<(typeof SIDES)[Stream]>, settings: Settings, query: URLSearchParams): Rec[] | string {
  const mode = settings[side.setting];
  const raw = query.get(side.param);
  if (raw !== null && raw !== '0' && raw !== '1') return `Invalid "${side.param}": expected 0 or 1`;
  if (mode === 'ignored') return list;
  const wanted = raw === null ? (mode === 'hidden' ? false : undefined) : raw === '1';
  return wanted === undefined ? list : list.filter((r) => (r[side.flag] === true) === wanted);
}

/** Child lists a products list can embed (`embed=images,variations`), by the name the vendor uses. */
const EMBEDDABLE: Record<string, ChildStream> = { images: 'products_images', variations: 'products_variations' };
/** Embedded by the vendor form only (products.yaml lists `options` among the embed values): a server that honours some names and not others. */
const EMBEDDABLE_BY_VENDOR: Record<string, ChildStream> = { ...EMBEDDABLE, options: 'product_options' };

/** The product with the embedded child arrays asked for, each cut to embedCap when that is set. */
function withEmbedded(store: Store, settings: Settings, vendor: boolean, product: Rec, rendered: Obj, embed: string[]): Obj {
  const out = { ...rendered };
  for (const name of embed) {
    const stream = (vendor ? EMBEDDABLE_BY_VENDOR : EMBEDDABLE)[name];
    if (!stream) continue;
    let children = store.children[stream].get(product.id as number) ?? [];
    if (settings.embedCap > 0) children = children.slice(0, settings.embedCap);
    out[name] = children.map((c) => present(stream, c, vendor));
  }
  return out;
}

/**
 * Orders by `from` / `to` (UNIX seconds, inclusive, on the creation time) and
 * `sort` (date, date_desc; id order otherwise), as the vendor's clients use them.
 */
function filterOrders(list: Rec[], query: URLSearchParams): Rec[] | string {
  const bound = (name: string) => {
    const raw = query.get(name);
    if (raw === null) return undefined;
    return /^\d+$/.test(raw) ? Number(raw) * 1000 : `Invalid "${name}": expected UNIX seconds`;
  };
  const from = bound('from');
  const to = bound('to');
  if (typeof from === 'string') return from;
  if (typeof to === 'string') return to;
  const created = (r: Rec) => Date.parse(r.created_at_utc as string);
  let out = list.filter((r) => (from === undefined || created(r) >= from) && (to === undefined || created(r) <= to));
  const sort = query.get('sort');
  if (sort === 'date' || sort === 'date_desc') {
    const sign = sort === 'date' ? 1 : -1;
    out = [...out].sort((a, b) => sign * (created(a) - created(b)) || (a.id as number) - (b.id as number));
  }
  return out;
}

/** The lists that take `sort=created|created_asc|created_desc` (customers.yaml, categories.yaml, pages.yaml, themes.yaml, product_reviews.yaml). */
const CREATED_SORTABLE: readonly Stream[] = ['customers', 'categories', 'pages', 'themes', 'products_reviews'];

/** The list in the creation order asked for; records created at the same instant keep their stored order. */
function sortByCreation(list: Rec[], query: URLSearchParams): Rec[] | string {
  const sort = query.get('sort');
  if (sort === null) return list;
  if (sort !== 'created' && sort !== 'created_asc' && sort !== 'created_desc') return `Invalid "sort": expected created, created_asc or created_desc`;
  const sign = sort === 'created_desc' ? -1 : 1;
  const created = (r: Rec) => Date.parse(r.created_at_utc as string);
  return [...list].sort((a, b) => sign * (created(a) - created(b)));
}

/**
 * The events log by `since_id` (a greater id) and `created_after` /
 * `created_before` (ISO 8601, exclusive), as /work/vendor-ref/events.yaml
 * documents them; the log is in id order, which is creation order.
 */
function filterEvents(list: Rec[], query: URLSearchParams): Rec[] | string {
  const sinceId = query.get('since_id');
  if (sinceId !== null && !/^\d+$/.test(sinceId)) return 'Invalid "since_id": expected an integer';
  const instant = (name: string): number | undefined | string => {
    const raw = query.get(name);
    if (raw === null) return undefined;
    const at = Date.parse(raw);
    return /^\d{4}-\d\d-\d\dT/.test(raw) && !Number.isNaN(at) ? at : `Invalid "${name}": expected an ISO 8601 date-time`;
  };
  const after = instant('created_after');
  const before = instant('created_before');
  if (typeof after === 'string') return after;
  if (typeof before === 'string') return before;
  const created = (r: Rec) => Date.parse(r.created_at_utc as string);
  return list.filter(
    (r) =>
      (sinceId === null || (r.id as number) > Number(sinceId)) &&
      (after === undefined || created(r) > after) &&
      (before === undefined || created(r) < before)
  );
}

export function listPage(store: Store, settings: Settings, vendor: boolean, target: Target, query: URLSearchParams): ApiResponse {
  const { stream, productId } = target;
  let list: Rec[];
  if (isChild(stream)) {
    if (!store.product(productId ?? 0)) return { status: 404, body: errorBody(`Product ${productId} not found`) };
    list = store.children[stream].get(productId ?? 0) ?? [];
  } else {
    list = store.top[stream];
  }
  const render = (recs: Rec[]) => recs.map((r) => present(stream, r, vendor));

  // Countries come back whole, whatever paging parameters are sent.
  if (stream === 'countries') {
    return { status: 200, body: vendor ? render(list) : envelope(render(list), list.length, settings) };
  }

  if (stream === 'orders' && settings.orderFilters) {
    const filtered = filterOrders(list, query);
    if (typeof filtered === 'string') return { status: 400, body: errorBody(filtered) };
    list = filtered;
  }
  if (stream === 'events' && settings.eventFilters) {
    const filtered = filterEvents(list, query);
    if (typeof filtered === 'string') return { status: 400, body: errorBody(filtered) };
    list = filtered;
  }
  if (CREATED_SORTABLE.includes(stream) && settings.createdSort) {
    const sorted = sortByCreation(list, query);
    if (typeof sorted === 'string') return { status: 400, body: errorBody(sorted) };
    list = sorted;
  }
  const side = SIDES[stream];
  if (side) {
    const shown = bySide(list, side, settings, query);
    if (typeof shown === 'string') return { status: 400, body: errorBody(shown) };
    list = shown;
  }
  if (stream === 'orders') {
    const byIds = filterByIds(list, query, settings.idsFilter);
    if (typeof byIds === 'string') return { status: 400, body: errorBody(byIds) };
    list = byIds;
  }

  // The vendor calls the page size "count"; "limit" means nothing to it.
  const offset = intParam(query, 'offset', 0, 0);
  const size = intParam(query, vendor ? 'count' : 'limit', DEFAULT_PAGE_SIZE, 1);
  if (typeof offset === 'string') return { status: 400, body: errorBody(offset) };
  if (typeof size === 'string') return { status: 400, body: errorBody(size) };

  // pageCap is silent: asking for 500 quietly yields at most pageCap records.
  const slice = list.slice(offset, offset + Math.min(size, settings.pageCap));
  let page = render(slice);
  const embed = (query.get('embed') ?? '').split(',').filter(Boolean);
  if (stream === 'products' && settings.embed && embed.length > 0) {
    page = page.map((p, i) => withEmbedded(store, settings, vendor, slice[i], p as Obj, embed));
  }
  return { status: 200, body: vendor ? page : envelope(page, list.length, settings) };
}

function envelope(data: unknown[], total: number, settings: Settings): unknown {
  return settings.includeTotal ? { data, total } : { data };
}

/** For each child stream, child record id → the id of the product it belongs to (which the vendor form does not say). */
export function parents(store: Store): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const stream of CHILD_STREAMS) {
    out[stream] = {};
    for (const p of store.top.products) for (const c of store.children[stream].get(p.id) ?? []) out[stream][String(c.id)] = p.id;
  }
  return out;
}

/** Every stream's full current list, children of all current products in product order. */
export function truth(store: Store, vendor: boolean): Record<Stream, Array<Record<string, unknown>>> {
  const out = {} as Record<Stream, Array<Record<string, unknown>>>;
  for (const stream of STREAMS) {
    const recs = isChild(stream)
      ? store.top.products.flatMap((p) => store.children[stream].get(p.id) ?? [])
      : store.top[stream];
    out[stream] = recs.map((r) => present(stream, r, vendor));
  }
  return out;
}
