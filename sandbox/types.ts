import { Stream } from './resources';

export type { Stream } from './resources';

export const FAULT_KINDS = ['500', '502', '503', '504', 'reset', 'truncate', 'nonjson', 'nodata', 'slow', 'hang'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface SandboxOptions {
  /** 0 = any free port (default 0); the host is always 127.0.0.1. */
  port?: number;
  /** PRNG seed, default 42. */
  seed?: number;
  /** Data size multiplier, default 1 (countries and themes stay fixed). */
  scale?: number;
  /** Basic auth user name, default 'demo_key'. */
  apiKey?: string;
  /** Basic auth password, default 'demo_secret'. */
  apiSecret?: string;
  /** Max records one page returns whatever limit is asked (a silent cap), default 100. */
  pageCap?: number;
  /** Leaky bucket size, default 40; 0 = no rate limit. */
  rateLimitCapacity?: number;
  /** Bucket drain rate per second, default 2; 0 = no rate limit. */
  rateLimitPerSecond?: number;
  /** Fixed delay before every API response, default 0. */
  latencyMs?: number;
  /** Share (0..1) of API requests that get a fault, default 0. */
  faultRate?: number;
  /** Kinds drawn from when a fault fires; default ['500','502','503','504','reset','truncate','nonjson']. */
  faults?: FaultKind[];
  /** Serve the real vendor dialect, default false. */
  vendor?: boolean;
  /** Seed form only: add "total" to list bodies, default true. */
  includeTotal?: boolean;
  /** Serve GET /v1/products/{id}, default true. */
  productById?: boolean;
  /** Date header from the data's clock (the "now" mutations stamp) instead of the real time, default false. */
  dataClock?: boolean;
}

/** The options that can change while the server runs (POST /__admin/settings). */
export interface Settings {
  rateLimitCapacity: number;
  rateLimitPerSecond: number;
  latencyMs: number;
  faultRate: number;
  faults: FaultKind[];
  pageCap: number;
  includeTotal: boolean;
  /** Serve GET /v1/products/{id} (default true); false: 404 for every id, as a server without it. */
  productById: boolean;
  /** Honour `embed=images,variations` on the products list, and `options` in the vendor form (default true): each product carries those arrays. */
  embed: boolean;
  /** Cut every embedded array to at most this many entries, silently (0 = whole arrays; default 0). */
  embedCap: number;
  /** Honour `from` / `to` (UNIX seconds, created at or after / at or before) and `sort=date|date_desc` on orders (default true). */
  orderFilters: boolean;
  /** Serve `GET /v1/<resource>/count` as `{"count": n}` (default true); false: 404. */
  counts: boolean;
  /**
   * false (default): the Date header is the real time, years after the data.
   * true: it is the data's clock, so a record changed after a page was served
   * has a cursor later than that page's Date, as on a live shop.
   */
  dataClock: boolean;
  /**
   * Updates and deletions of orders and customers write the matching event
   * (`order.updated`, `customer.deleted`, ...) to /v1/events, stamped with the
   * change's time, as a shop's webhook log does (default true); false: the log
   * never hears of them, as on a shop whose events log is empty or switched off.
   */
  changeEvents: boolean;
  /**
   * `ids=1,2,3` on the orders list: 'honoured' (default) answers only those
   * orders; 'ignored' answers the list as if it were not there; 'extra' answers
   * them and two orders not asked for.
   */
  idsFilter: IdsFilterMode;
  /**
   * Honour `since_id` (events with a greater id), `created_after` and
   * `created_before` (ISO 8601, exclusive) on /v1/events, as the vendor's
   * reference documents them (events.yaml; default true); false: the whole log
   * whatever is asked, as a server that ignores them.
   */
  eventFilters: boolean;
  /**
   * `trade` on /v1/customers and /v1/customers/count (customers.yaml). 'hidden'
   * also makes /v1/customers/count answer 400 without `trade`, as the reference
   * marks it required.
   */
  tradeFilter: SideFilterMode;
  /** `archived` on /v1/orders and /v1/orders/count (orders.yaml); 'hidden' also hides archived orders from `ids=` answers. */
  archivedFilter: SideFilterMode;
  /**
   * Honour `sort=created_desc` / `created_asc` / `created` on customers,
   * categories, pages, themes and a product's reviews, as their reference
   * files document it (default true); false: the default order (creation,
   * oldest first) whatever is asked, as a server that ignores it.
   */
  createdSort: boolean;
}

export const IDS_FILTER_MODES = ['honoured', 'ignored', 'extra'] as const;
export const SIDE_FILTER_MODES = ['shown', 'hidden', 'ignored'] as const;
/**
 * A two-valued list filter (`trade=0|1` on customers, `archived=0|1` on orders):
 * 'shown' (default): the plain list holds both sides, the parameter is honoured;
 * 'hidden': the plain list holds side 0 only (regular customers, non-archived
 * orders), as the vendor's help page says of customers; 'ignored': the plain
 * list holds both sides and the parameter changes nothing.
 */
export type SideFilterMode = (typeof SIDE_FILTER_MODES)[number];
export type IdsFilterMode = (typeof IDS_FILTER_MODES)[number];

export interface Counters {
  /** API requests received (admin requests never count). */
  requests: number;
  /** Responses by HTTP status sent; 'reset' and 'hang' faults send none. */
  byStatus: Record<string, number>;
  rateLimited: number;
  faults: number;
  byFault: Partial<Record<FaultKind, number>>;
  /** Most API requests in flight at once, latency waits included. */
  peakConcurrency: number;
  /** API requests per stream (list requests only); unknown paths are not counted here. */
  byResource: Partial<Record<Stream, number>>;
  /** GET /v1/products/{id} requests (not counted in byResource). */
  singleProduct: number;
  /** GET /v1/orders/{id} and /v1/customers/{id} requests, by stream (not counted in byResource). */
  singleRecord: Partial<Record<Stream, number>>;
  /** Orders list requests that carried `ids=` (also counted in byResource). */
  idsLists: number;
  /** List requests (not counts) by `trade=` / `archived=` value, e.g. `trade=1` (also counted in byResource). */
  sideLists: Record<string, number>;
  /** GET /v1/<resource>/count requests (not counted in byResource). */
  counts: number;
}

/** Primary key as the current form shows it: a number, or a uuid for seed-form shipping zones. */
export type RecordKey = number | string;

export type MutateOp =
  | { op: 'insert'; resource: Stream; count?: number; product_id?: number; /** List position of the first new record (default: the end). */ at?: number }
  | { op: 'update'; resource: Stream; ids: RecordKey[] }
  | { op: 'delete'; resource: Stream; ids: RecordKey[] }
  | { op: 'touch_all' };

export interface MutateResult {
  inserted: Partial<Record<Stream, RecordKey[]>>;
  updated: Partial<Record<Stream, RecordKey[]>>;
  deleted: Partial<Record<Stream, RecordKey[]>>;
}

/**
 * A mutation armed to fire right after the Nth (afterRequests, default 1)
 * successfully answered list request of `resource` (of product `product_id`
 * only, when given). The mutation targets the same resource.
 */
export type DriftSpec = { resource: Stream; afterRequests?: number; product_id?: number } & (
  | { op: 'insert'; count?: number; at?: number }
  | { op: 'update' | 'delete'; ids: RecordKey[] }
);

export interface DriftLog {
  armed: Array<DriftSpec & { remaining: number }>;
  applied: Array<{ spec: DriftSpec; result?: MutateResult; error?: string }>;
}

export interface Sandbox {
  url: string;
  port: number;
  vendor: boolean;
  close(): Promise<void>;
  /** Every stream's full current list, exactly as the API would serve the records. */
  truth(): Record<Stream, Array<Record<string, unknown>>>;
  /** Per child stream, child id → its product's id: what the vendor form's child records do not say. */
  parents(): Record<string, Record<string, number>>;
  /** truth() with each child record's `product_id`, which the connector adds from the product it read the child under. */
  emittedTruth(): Record<Stream, Array<Record<string, unknown>>>;
  counters(): Counters;
  resetCounters(): void;
  settings(): Settings;
  /** Validates and applies at once; throws HttpError(400) on a bad patch. */
  updateSettings(patch: Partial<Settings>): Settings;
  /** Throws HttpError(400/404) on a bad op or unknown ids. */
  mutate(op: MutateOp): MutateResult;
  drift(spec: DriftSpec): void;
  drifts(): DriftLog;
}
