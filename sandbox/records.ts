import { createHash } from 'node:crypto';
import { Random, round2 } from './prng';
import { ChildStream, TopStream } from './resources';
import { Rec, Store } from './store';
import { iso } from './time';
import * as W from './words';

// One factory per resource. Used both to build the initial shop and to insert
// records later, so inserted records look exactly like generated ones.

export interface Ctx {
  rnd: Random;
  store: Store;
}
export interface Times {
  created: number;
  updated: number;
  /** Inserted through the admin surface rather than generated at start. */
  isNew?: boolean;
}
type MakeTop = (ctx: Ctx, id: number, t: Times) => Rec;
type MakeChild = (ctx: Ctx, id: number, t: Times, product: Rec) => Rec;

/** Past the end of a word list, reuse it with a number so names stay unique and readable. */
function nth(list: readonly string[], id: number): string {
  const base = list[(id - 1) % list.length];
  return id <= list.length ? base : `${base} ${Math.ceil(id / list.length)}`;
}

function slugify(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function pickOr<T>(rnd: Random, list: readonly T[]): T | undefined {
  return list.length ? rnd.pick(list) : undefined;
}

function hex(rnd: Random, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++) out += rnd.int(0, 255).toString(16).padStart(2, '0');
  return out;
}

/**
 * A name-based (v5-style) UUID from the zone's numeric id alone, so the same
 * zone keeps its uuid across seeds, restarts and mutations.
 */
export function zoneUuid(id: number): string {
  const h = createHash('sha1').update(`shipping-zone:${id}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function address(rnd: Random) {
  const [city, postcode, country] = rnd.pick(W.CITIES);
  return {
    line1: `${rnd.int(1, 200)} ${rnd.pick(W.STREETS)}`,
    line2: rnd.maybe(0.7, () => `Flat ${rnd.int(1, 40)}`),
    city,
    postcode,
    country_code: country,
  };
}

function orderItems(ctx: Ctx) {
  const { rnd, store } = ctx;
  return Array.from({ length: rnd.int(1, 4) }, () => pickOr(rnd, store.top.products))
    .filter((p): p is Rec => p !== undefined)
    .map((product) => {
      const variations = store.children.products_variations.get(product.id) ?? [];
      const variation = rnd.chance(0.5) ? pickOr(rnd, variations) : undefined;
      const unitPrice = (variation?.price ?? product.price) as number;
      const quantity = rnd.int(1, 3);
      return {
        id: store.nextId('order_items'),
        product_id: product.id,
        variation_id: variation?.id ?? null,
        title: product.title,
        sku: variation?.sku ?? product.sku,
        quantity,
        unit_price: unitPrice,
        total: round2(unitPrice * quantity),
      };
    });
}

const EVENT_KINDS: ReadonlyArray<[type: string, stream: TopStream, verbs: readonly string[]]> = [
  ['order', 'orders', ['created', 'updated', 'paid', 'shipped']],
  ['product', 'products', ['created', 'updated']],
  ['customer', 'customers', ['created', 'updated']],
  ['page', 'pages', ['published', 'updated']],
  ['category', 'categories', ['created', 'updated']],
];

const CHOICE_SET_NAMES = W.CHOICE_SETS.map(([name]) => name);
const ZONE_NAMES = W.ZONES.map(([name]) => name);

export const makeTop: Record<TopStream, MakeTop> = {
  countries: (_ctx, id, t) => {
    const known = W.COUNTRIES[id - 1];
    // Inserted countries past the real list use the user-assigned "X?" ISO range.
    const [name, iso_code, currency_code, tax_rate] = known ?? [
      `Territory ${id}`,
      `X${String.fromCharCode(65 + (id % 26))}`,
      'EUR',
      0,
    ];
    return { id, name, iso_code, currency_code, tax_rate, created_at_utc: iso(t.created) };
  },

  pages: ({ rnd }, id, t) => {
    const title = nth(W.PAGE_TITLES, id);
    return {
      id,
      title,
      slug: slugify(title),
      content: `<h1>${title}</h1><p>Everything you need to know about ${title.toLowerCase()}.</p>`,
      is_published: rnd.chance(0.85),
      meta: {
        title: `${title} | Northwind Goods`,
        description: rnd.maybe(0.3, () => `${title} at Northwind Goods.`),
      },
      created_at_utc: iso(t.created),
      updated_at_utc: iso(t.updated),
    };
  },

  products: ({ rnd, store }, id, t) => {
    const title = `${rnd.pick(W.ADJECTIVES)} ${rnd.pick(W.NOUNS)}`;
    const price = rnd.money(5, 250);
    const brandIndex = rnd.int(0, W.BRANDS.length - 1);
    return {
      id,
      title,
      sku: `SKU-${String(id).padStart(6, '0')}`,
      slug: `${slugify(title)}-${id}`,
      description: `<p>Our ${title.toLowerCase()}, made to last.</p>`,
      price,
      sale_price: rnd.chance(0.3) ? round2(price * 0.8) : null,
      cost_price: rnd.maybe(0.3, () => round2(price * 0.45)),
      stock: rnd.int(0, 500),
      weight: rnd.maybe(0.2, () => rnd.money(0.1, 5)),
      is_active: rnd.chance(0.9),
      vat_relief: rnd.maybe(0.8, () => rnd.chance(0.5)),
      brand: rnd.maybe(0.3, () => ({ id: brandIndex + 1, name: W.BRANDS[brandIndex] })),
      category_ids: rnd.sample(store.top.categories, rnd.int(0, 3)).map((c) => c.id),
      tags: rnd.sample(W.TAGS, rnd.int(0, 4)),
      seo: { title: `${title} | Northwind Goods`, description: `Buy the ${title.toLowerCase()} online.` },
      custom_fields: rnd.chance(0.5) ? [{ name: 'Material', value: rnd.pick(W.MATERIALS) }] : [],
      created_at_utc: iso(t.created),
      updated_at_utc: iso(t.updated),
    };
  },

  choice_sets: ({ rnd, store }, id) => {
    const choices = W.CHOICE_SETS[(id - 1) % W.CHOICE_SETS.length][1];
    return {
      id,
      name: nth(CHOICE_SET_NAMES, id),
      is_required: rnd.chance(0.3),
      choices: choices.map((choice, i) => ({
        id: store.nextId('choices'),
        name: choice,
        price_modifier: i === 0 ? 0 : rnd.money(1, 15),
      })),
    };
  },

  customers: ({ rnd }, id, t) => {
    const first = rnd.pick(W.FIRST_NAMES);
    const last = rnd.pick(W.LAST_NAMES);
    return {
      id,
      email: `${first}.${last}.${id}@example.com`.toLowerCase().replace("'", ''),
      first_name: first,
      last_name: last,
      company: rnd.maybe(0.75, () => rnd.pick(W.COMPANIES)),
      phone: rnd.maybe(0.3, () => `+44 7700 9${String(rnd.int(0, 99999)).padStart(5, '0')}`),
      is_trade: rnd.chance(0.1),
      addresses: Array.from({ length: rnd.int(0, 2) }, () => address(rnd)),
      marketing_opt_in: rnd.chance(0.4),
      created_at_utc: iso(t.created),
      updated_at_utc: iso(t.updated),
    };
  },

  orders: (ctx, id, t) => {
    const { rnd, store } = ctx;
    const customer = rnd.chance(0.15) ? undefined : pickOr(rnd, store.top.customers);
    const items = orderItems(ctx);
    const subtotal = round2(items.reduce((sum, item) => sum + item.total, 0));
    // No shipping address means click and collect: nothing to ship, nothing to charge.
    const shipping = rnd.maybe(0.1, () => address(rnd));
    const shippingTotal = shipping && subtotal < 50 ? rnd.pick([3.95, 4.95, 6.5]) : 0;
    const discountTotal = rnd.chance(0.2) ? round2(subtotal * 0.1) : 0;
    const method = rnd.pick(W.PAYMENT_METHODS);
    return {
      id,
      reference: `ORD-${100000 + id}`,
      customer_id: customer?.id ?? null,
      // Older orders have moved on through the workflow; a brand new one is just placed.
      status: t.isNew ? 'placed' : rnd.pick(W.ORDER_STATUSES),
      currency_code: rnd.chance(0.9) ? 'GBP' : 'EUR',
      subtotal,
      shipping_total: shippingTotal,
      // UK prices include VAT: the tax is the VAT share of the discounted goods.
      tax_total: round2((subtotal - discountTotal) / 6),
      discount_total: discountTotal,
      total: round2(subtotal + shippingTotal - discountTotal),
      items,
      billing_address: {
        first_name: customer?.first_name ?? rnd.pick(W.FIRST_NAMES),
        last_name: customer?.last_name ?? rnd.pick(W.LAST_NAMES),
        ...address(rnd),
      },
      shipping_address: shipping,
      shipping_method: shipping ? { name: rnd.pick(W.RATE_NAMES), price: shippingTotal } : null,
      payment: { method, transaction_id: method === 'bank_transfer' ? null : `txn_${hex(rnd, 8)}` },
      notes: rnd.maybe(0.85, () => rnd.pick(W.ORDER_NOTES)),
      // From the id, not the generator, so that the rest of the data stays as it was: one order in eight.
      is_archived: id % 8 === 0,
      created_at_utc: iso(t.created),
      updated_at_utc: iso(t.updated),
    };
  },

  shipping_zones: ({ rnd }, id) => {
    const countries = W.ZONES[(id - 1) % W.ZONES.length][1];
    return {
      id,
      uuid: zoneUuid(id),
      name: nth(ZONE_NAMES, id),
      countries: [...countries],
      rates: W.RATE_NAMES.slice(0, rnd.int(1, 3)).map((name, i) => ({
        name,
        price: i === 0 && rnd.chance(0.3) ? 0 : rnd.money(2, 25),
        min_order_total: rnd.maybe(0.7, () => rnd.pick([50, 75, 100])),
        max_weight: rnd.maybe(0.6, () => rnd.pick([2, 5, 10, 30])),
      })),
    };
  },

  events: ({ rnd, store }, id, t) => {
    const [type, stream, verbs] = rnd.pick(EVENT_KINDS);
    const target = pickOr(rnd, store.top[stream]);
    const resourceId = target?.id ?? 1;
    return {
      id,
      type: `${type}.${rnd.pick(verbs)}`,
      resource_type: type,
      resource_id: resourceId,
      payload: {
        id: resourceId,
        source: rnd.pick(['admin', 'api', 'storefront']),
        changed_fields: rnd.sample(['status', 'price', 'stock', 'title', 'email'], rnd.int(0, 2)),
      },
      created_at_utc: iso(t.created),
    };
  },

  categories: ({ rnd }, id, t) => {
    const name = nth(W.CATEGORY_NAMES, id);
    return {
      id,
      name,
      slug: slugify(name),
      parent_id: id > 5 && rnd.chance(0.5) ? rnd.int(1, id - 1) : null,
      description: rnd.maybe(0.4, () => `Shop our ${name.toLowerCase()} range.`),
      position: id,
      is_visible: rnd.chance(0.9),
      created_at_utc: iso(t.created),
      updated_at_utc: iso(t.updated),
    };
  },

  themes: ({ rnd }, id, t) => ({
    id,
    name: nth(W.THEMES, id),
    is_active: id === 2,
    version: `${rnd.int(1, 3)}.${rnd.int(0, 9)}.${rnd.int(0, 20)}`,
    created_at_utc: iso(t.created),
    updated_at_utc: iso(t.updated),
  }),
};

export const makeChild: Record<ChildStream, MakeChild> = {
  products_images: ({ rnd, store }, id, t, product) => {
    const position = store.childrenOf('products_images', product.id).length + 1;
    return {
      id,
      product_id: product.id,
      url: `https://cdn.northwind-goods.test/products/${product.id}/${id}.jpg`,
      alt: rnd.maybe(0.3, () => `${product.title} - view ${position}`),
      position,
      is_primary: position === 1,
      created_at_utc: iso(t.created),
    };
  },

  products_reviews: ({ rnd }, id, t, product) => ({
    id,
    product_id: product.id,
    author_name: `${rnd.pick(W.FIRST_NAMES)} ${rnd.pick(W.LAST_NAMES)[0]}.`,
    email: rnd.maybe(0.4, () => `reviewer${id}@example.com`),
    rating: rnd.pick([5, 5, 5, 4, 4, 3, 2, 1]),
    title: rnd.maybe(0.3, () => rnd.pick(W.REVIEW_TITLES)),
    body: rnd.pick(W.REVIEW_BODIES),
    is_approved: rnd.chance(0.85),
    created_at_utc: iso(t.created),
  }),

  product_options: ({ rnd, store }, id, _t, product) => {
    const position = store.childrenOf('product_options', product.id).length + 1;
    const name = nth(W.OPTION_NAMES, position);
    const values = W.OPTION_VALUES[W.OPTION_NAMES[(position - 1) % W.OPTION_NAMES.length]];
    return {
      id,
      product_id: product.id,
      name,
      position,
      values: rnd.sample(values, rnd.int(2, 4)).map((value) => ({
        id: store.nextId('option_values'),
        name: value,
        price_modifier: rnd.chance(0.3) ? rnd.money(0.5, 10) : 0,
      })),
    };
  },

  products_variations: ({ rnd, store }, id, _t, product) => {
    // A variation is one value from each of the product's first two options.
    const options = (store.children.product_options.get(product.id) ?? []).slice(0, 2);
    const valueIds = options.map((o) => rnd.pick(o.values as Array<{ id: number }>).id);
    const price = round2((product.price as number) + rnd.pick([0, 0, 2.5, 5]));
    return {
      id,
      product_id: product.id,
      sku: `${product.sku}-V${id}`,
      price,
      sale_price: rnd.maybe(0.8, () => round2(price * 0.85)),
      stock: rnd.int(0, 100),
      option_value_ids: valueIds,
      weight: product.weight ?? null,
    };
  },
};
