import { badRequest, isPlainObject, isPositiveInt, notFound } from './errors';
import { keyOf, present } from './present';
import { Random } from './prng';
import { Ctx, makeChild, makeTop } from './records';
import { CHILD_STREAMS, INCREMENTAL_TOP, STREAMS, Stream, UPDATABLE, isChild, isStream } from './resources';
import { Rec, findById } from './store';
import { iso } from './time';
import { MutateOp, MutateResult, RecordKey } from './types';

// Changes to the shop between (or during) syncs, so incremental reads and
// offset drift can be tested. Every op takes one fresh "now" from the store
// clock: all records it touches share that timestamp, a deliberate tie.

const MAX_INSERT = 10_000;

/** Turns an untrusted body into a MutateOp, or throws a 400 saying what is wrong. */
export function parseMutation(body: unknown): MutateOp {
  if (!isPlainObject(body)) throw badRequest('Mutation must be a JSON object');
  const { op, resource } = body;
  if (op === 'touch_all') return { op };
  if (op !== 'insert' && op !== 'update' && op !== 'delete') {
    throw badRequest('"op" must be one of insert, update, delete, touch_all');
  }
  if (!isStream(resource)) throw badRequest(`"resource" must be one of ${STREAMS.join(', ')}`);
  if (op === 'insert') {
    const count = body.count ?? 1;
    if (!isPositiveInt(count) || count > MAX_INSERT) throw badRequest(`"count" must be an integer 1..${MAX_INSERT}`);
    if (isChild(resource) && !isPositiveInt(body.product_id)) {
      throw badRequest(`Inserting into ${resource} needs "product_id" (a positive integer)`);
    }
    // `at`: where in the list the new records go (0 = the front); the end by default, as a shop appends.
    const at = body.at;
    if (at !== undefined && !(Number.isInteger(at) && (at as number) >= 0)) throw badRequest('"at" must be an integer >= 0');
    const where = at === undefined ? {} : { at: at as number };
    return isChild(resource) ? { op, resource, count, product_id: body.product_id as number, ...where } : { op, resource, count, ...where };
  }
  const ids = body.ids;
  const validKey = (k: unknown) => isPositiveInt(k) || (resource === 'shipping_zones' && typeof k === 'string');
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every(validKey)) {
    throw badRequest('"ids" must be a non-empty array of record ids');
  }
  if (op === 'update' && !UPDATABLE.includes(resource)) {
    throw badRequest(`${resource} cannot be updated; updatable: ${UPDATABLE.join(', ')}`);
  }
  return { op, resource, ids: ids as RecordKey[] };
}

/** Applies a validated op. Unknown ids or products fail the whole op before anything changes. */
export function applyMutation(ctx: Ctx, op: MutateOp, vendor: boolean, changeEvents = true): MutateResult {
  const result: MutateResult = { inserted: {}, updated: {}, deleted: {} };
  const record = (bucket: keyof MutateResult, stream: Stream, recs: Rec[]) => {
    result[bucket][stream] = [...(result[bucket][stream] ?? []), ...recs.map((r) => keyOf(stream, r, vendor))];
  };
  switch (op.op) {
    case 'insert':
      record('inserted', op.resource, insert(ctx, op.resource, op.count ?? 1, op.product_id, op.at));
      break;
    case 'update': {
      const updated = update(ctx, op.resource, op.ids);
      record('updated', op.resource, updated);
      if (changeEvents) record('inserted', 'events', logChanges(ctx, op.resource, 'updated', updated, vendor));
      break;
    }
    case 'delete': {
      const deleted = remove(ctx, op.resource, op.ids);
      record('deleted', op.resource, deleted);
      if (changeEvents) record('inserted', 'events', logChanges(ctx, op.resource, 'deleted', deleted, vendor));
      break;
    }
    case 'touch_all': {
      for (const stream of INCREMENTAL_TOP) record('inserted', stream, insert(ctx, stream, 2));
      const products = ctx.store.top.products;
      if (products.length > 0) {
        record('inserted', 'products_reviews', insert(ctx, 'products_reviews', 1, products[0].id));
        const firstTwo = products.slice(0, 2).map((p) => p.id);
        record('updated', 'products', update(ctx, 'products', firstTwo));
      }
      break;
    }
  }
  return result;
}

function insert(ctx: Ctx, stream: Stream, count: number, productId?: number, at?: number): Rec[] {
  const now = ctx.store.tick();
  const times = { created: now, updated: now, isNew: true };
  const added: Rec[] = [];
  if (isChild(stream)) {
    const product = ctx.store.product(productId ?? 0);
    if (!product) throw notFound(`Product ${productId} not found`);
    const list = ctx.store.childrenOf(stream, product.id);
    for (let i = 0; i < count; i++) {
      added.push(makeChild[stream](ctx, ctx.store.nextId(stream), times, product));
    }
    list.splice(at ?? list.length, 0, ...added);
  } else {
    for (let i = 0; i < count; i++) {
      added.push(makeTop[stream](ctx, ctx.store.nextId(stream), times));
    }
    ctx.store.top[stream].splice(at ?? ctx.store.top[stream].length, 0, ...added);
  }
  return added;
}

function update(ctx: Ctx, stream: Stream, keys: RecordKey[]): Rec[] {
  const found = locate(ctx, stream, keys);
  const now = iso(ctx.store.tick());
  for (const { rec } of found) {
    EDITS[stream]?.(ctx.rnd, rec);
    rec.updated_at_utc = now;
  }
  return found.map((f) => f.rec);
}

function remove(ctx: Ctx, stream: Stream, keys: RecordKey[]): Rec[] {
  const found = locate(ctx, stream, keys);
  for (const { rec, list } of found) list.splice(list.indexOf(rec), 1);
  // A deleted product takes its images, reviews, options and variations with it.
  if (stream === 'products') {
    for (const { rec } of found) for (const child of CHILD_STREAMS) ctx.store.children[child].delete(rec.id);
  }
  return found.map((f) => f.rec);
}

/** The subject type a shop's webhook events give the resources whose changes this sandbox logs. */
const SUBJECT_TYPE: Partial<Record<Stream, string>> = { orders: 'order', customers: 'customer' };

/** Deletions of these are logged too (`product.deleted`): the topics a third-party client lists (docs/vendor-api.md). */
const DELETION_SUBJECT_TYPE: Partial<Record<Stream, string>> = { ...SUBJECT_TYPE, products: 'product' };

/**
 * One event per changed or deleted order or customer (and deleted product), as
 * a shop's webhook log writes it, stamped with the change's own time (the clock
 * is not moved: the event and the change share their instant). A deletion's
 * `data.object` is the entity as it was.
 */
function logChanges(ctx: Ctx, stream: Stream, verb: 'updated' | 'deleted', recs: Rec[], vendor: boolean): Rec[] {
  const type = (verb === 'deleted' ? DELETION_SUBJECT_TYPE : SUBJECT_TYPE)[stream];
  if (!type) return [];
  const at = iso(ctx.store.clock);
  const data = (rec: Rec) =>
    verb === 'deleted'
      ? { id: rec.id, source: 'admin', object: present(stream, rec, vendor) }
      : { id: rec.id, source: 'admin', changed_fields: stream === 'orders' ? ['status'] : ['last_name', 'phone'] };
  const events = recs.map((rec) => ({
    id: ctx.store.nextId('events'),
    type: `${type}.${verb}`,
    resource_type: type,
    resource_id: rec.id,
    payload: data(rec),
    created_at_utc: at,
  }));
  ctx.store.top.events.push(...events);
  return events;
}

/** Finds every key or throws 404 naming the missing ones. */
function locate(ctx: Ctx, stream: Stream, keys: RecordKey[]): Array<{ rec: Rec; list: Rec[] }> {
  const lists = isChild(stream) ? [...ctx.store.children[stream].values()] : [ctx.store.top[stream]];
  const found: Array<{ rec: Rec; list: Rec[] }> = [];
  const missing: RecordKey[] = [];
  for (const key of new Set(keys)) {
    let hit: { rec: Rec; list: Rec[] } | undefined;
    for (const list of lists) {
      // Zones may be named by their seed-form uuid as well as their numeric id.
      const rec = typeof key === 'number' ? findById(list, key) : list.find((r) => r.uuid === key);
      if (rec) {
        hit = { rec, list };
        break;
      }
    }
    if (hit) found.push(hit);
    else missing.push(key);
  }
  if (missing.length) throw notFound(`No ${stream} with id ${missing.join(', ')}`);
  return found;
}

const EDITS: Partial<Record<Stream, (rnd: Random, rec: Rec) => void>> = {
  pages: (rnd, r) => {
    r.is_published = true;
    r.content = `<h1>${r.title}</h1><p>Revised text, version ${rnd.int(2, 99)}.</p>`;
  },
  products: (rnd, r) => {
    r.price = rnd.money(5, 250);
    r.stock = rnd.int(0, 500);
  },
  customers: (rnd, r) => {
    // A customer edits their name: the change a shop owner sees first in their data.
    r.last_name = `${String(r.last_name).replace(/-.*$/, '')}-${r.id % 2 === 0 ? 'Hale' : 'Marsh'}`;
    r.phone = `+44 7700 9${String(rnd.int(0, 99999)).padStart(5, '0')}`;
    r.marketing_opt_in = !r.marketing_opt_in;
  },
  orders: (_rnd, r) => {
    // Every update moves the status on, so a stale copy always differs from the shop.
    const next: Record<string, string> = { placed: 'paid', paid: 'shipped', shipped: 'refunded', refunded: 'cancelled', cancelled: 'placed' };
    r.status = next[r.status as string] ?? r.status;
    r.notes = 'Updated by the shop';
  },
  categories: (rnd, r) => {
    r.description = `Shop our ${String(r.name).toLowerCase()} range (${rnd.int(2, 99)} new lines).`;
    r.is_visible = !r.is_visible;
  },
  themes: (_rnd, r) => {
    const [major, minor, patch] = String(r.version).split('.').map(Number);
    r.version = `${major}.${minor}.${patch + 1}`;
  },
};
