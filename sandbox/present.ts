import { STREAMS, Stream } from './resources';
import { Rec } from './store';
import { rfc2822 } from './time';
import { RATE_NAMES } from './words';

// Records are stored once, in an internal form; this file renders them in the
// form the server is currently speaking. The truth endpoint uses the same
// rendering, so "truth" is always exactly what the API would serve.
//
// Both forms carry the same record fields, the vendor's, as its API reference
// documents them (shopwired-apps/shopwired-api-docs: orders.yaml, customers.yaml,
// products.yaml, ...). The seed form differs only where the seed says so: it
// adds the `*_at_utc` cursor fields (ISO 8601 UTC) and identifies shipping
// zones by uuid; envelope and page-size parameter live in api.ts. Fields a list
// returns only when embedded (a customer's country, an order's adminComments)
// are not served. Fields the internal record has no value for are filled from
// the id, so that every documented field is set on some record and absent on others.

/**
 * The vendor sends times in the shop's configured zone, not always UTC. About
 * one record in four gets +0200 or -0500 (same instant, different wall clock,
 * sometimes a different calendar day), chosen from stream and id so it is stable.
 */
function vendorOffsetMinutes(stream: Stream, id: number): number {
  const h = (Math.imul(id, 2654435761) + STREAMS.indexOf(stream) * 97) >>> 0;
  const bucket = h % 8;
  return bucket === 0 ? 120 : bucket === 1 ? -300 : 0;
}

/** Streams the vendor documents without any date (countries, product images). */
export const VENDOR_UNDATED: readonly Stream[] = ['countries', 'products_images'];
/** The only resource seen with updatedAt. */
const VENDOR_UPDATED: readonly Stream[] = ['products'];

type Obj = Record<string, unknown>;
const SHOP = 'https://www.northwind-goods.test';
const W_RATE = (name: string) => Math.max(0, RATE_NAMES.indexOf(name));

/** Internal status names → the vendor's status object (order_statuses.yaml: type is paid, unpaid, cancelled, shipped, pre-order or custom). */
const ORDER_STATUS: Record<string, { id: number; name: string; type: string; sortOrder: number }> = {
  placed: { id: 1, name: 'Placed', type: 'unpaid', sortOrder: 1 },
  paid: { id: 2, name: 'Paid', type: 'paid', sortOrder: 2 },
  shipped: { id: 3, name: 'Shipped', type: 'shipped', sortOrder: 3 },
  cancelled: { id: 4, name: 'Cancelled', type: 'cancelled', sortOrder: 4 },
  refunded: { id: 5, name: 'Refunded', type: 'custom', sortOrder: 5 },
  pre_order: { id: 6, name: 'Pre-order', type: 'pre-order', sortOrder: 6 },
};

/** One record in `every`, chosen by id, gets a field the internal record has no value for. */
const every = (id: number, n: number) => id % n === 0;

function vendorAddress(a: Obj | null | undefined, id: number, name?: string): Obj | null {
  if (!a) return null;
  return {
    name: name ?? null,
    emailAddress: every(id, 2) ? `buyer${id}@example.com` : null,
    telephone: every(id, 3) ? `+44 7700 9${String(id).padStart(5, '0').slice(-5)}` : null,
    companyName: null,
    addressLine1: a.line1 ?? null,
    addressLine2: a.line2 ?? null,
    addressLine3: null,
    city: a.city ?? null,
    province: null,
    state: null,
    postcode: a.postcode ?? null,
    country: a.country_code ?? null,
    countryId: null,
  };
}

type Item = { id: number; product_id: number; variation_id: number | null; title: string; sku: string; quantity: number; unit_price: number; total: number };

function orderLine(item: Item): Obj {
  return {
    id: item.product_id,
    itemId: item.id,
    title: item.title,
    sku: item.sku,
    price: item.unit_price,
    total: item.total,
    quantity: item.quantity,
    variation: item.variation_id === null ? [] : [{ name: 'Variation', value: String(item.variation_id) }],
    vatRate: 20,
  };
}

function customerAddress(r: Rec): Obj {
  const a = ((r.addresses as Obj[])[0] ?? {}) as Obj;
  return {
    addressLine1: a.line1 ?? null,
    addressLine2: a.line2 ?? null,
    addressLine3: every(r.id, 9) && a.line1 ? 'Industrial Estate' : null,
    city: a.city ?? null,
    province: every(r.id, 5) && a.city ? 'Greater London' : null,
    postcode: a.postcode ?? null,
  };
}

/** The vendor's fields for each resource, from a stored (seed-form) record. */
const VENDOR: Record<Stream, (r: Rec) => Obj> = {
  countries: (r) => ({ id: r.id, name: r.name, iso: r.iso_code }),
  pages: (r) => {
    const meta = r.meta as Obj;
    return { id: r.id, title: r.title, slug: r.slug, url: `${SHOP}/${r.slug}`, metaTitle: meta.title, metaDescription: meta.description };
  },
  products: (r) => {
    const seo = r.seo as Obj;
    const id = r.id;
    return {
      id,
      title: r.title,
      description: r.description,
      description2: every(id, 5) ? '<p>Care instructions: wipe clean.</p>' : null,
      description3: every(id, 7) ? '<p>Dimensions on request.</p>' : null,
      description4: every(id, 11) ? '<p>Made in the UK.</p>' : null,
      description5: every(id, 13) ? '<p>Gift wrapping available.</p>' : null,
      active: r.is_active,
      bundle: every(id, 17),
      sortOrder: id,
      deliveryPrice: every(id, 6) ? 4.95 : null,
      freeDelivery: every(id, 9),
      singleDeliveryPrice: every(id, 6),
      deliveryPrices: every(id, 8) ? [{ description: 'Europe', price: 9.5 }] : [],
      weight: r.weight,
      metaTitle: seo.title,
      metaKeywords: (r.tags as string[]).join(', ') || null,
      metaDescription: seo.description,
      slug: r.slug,
      url: `${SHOP}/${r.slug}`,
      videoCode: every(id, 19) ? '<iframe src="https://video.example.test/embed/1"></iframe>' : null,
      sku: r.sku,
      stock: r.stock,
      comparePrice: r.sale_price === null ? null : r.price,
      gtin: every(id, 3) ? String(5000000000000 + id) : null,
      mpn: every(id, 4) ? `MPN-${id}` : null,
      new: every(id, 10),
      twoForOne: every(id, 23),
      threeForTwo: every(id, 29),
      vatExclusive: every(id, 31),
      warehouseNotes: every(id, 14) ? 'Fragile' : null,
      price: r.price,
      costPrice: r.cost_price,
      salePrice: r.sale_price,
      excludedFromTradeDiscounts: every(id, 12),
      searchKeywords: (r.tags as string[]).join(' ') || null,
      shippingAddressNotRequired: every(id, 37),
      rewardPoints: every(id, 2) ? Math.floor(r.price as number) : 0,
      preOrder: every(id, 41),
      subscription: every(id, 43),
    };
  },
  products_images: (r) => ({ id: r.id, sortOrder: r.position, url: r.url, description: r.alt ?? '' }),
  choice_sets: (r) => ({
    id: r.id,
    displayName: r.name,
    internalName: `${r.name} ${r.id}`,
    values: (r.choices as Obj[]).map((c, i) => ({ id: c.id, name: c.name, price: c.price_modifier, sortOrder: i })),
  }),
  products_reviews: (r) => ({ id: r.id, name: r.author_name, rating: r.rating, content: r.body, active: r.is_approved }),
  product_options: (r) => ({ id: r.id, name: r.name }),
  products_variations: (r) => ({
    id: r.id,
    price: r.price,
    salePrice: r.sale_price,
    sku: r.sku,
    stock: r.stock,
    weight: r.weight,
    image: null,
    values: (r.option_value_ids as number[]).map((id) => ({ id })),
  }),
  customers: (r) => {
    const trade = r.is_trade === true;
    return {
      id: r.id,
      trade,
      tradeGroupId: trade ? 1 + (r.id % 3) : null,
      active: !every(r.id, 17),
      adminCreated: every(r.id, 11),
      autoCreated: every(r.id, 7),
      credit: trade && every(r.id, 2),
      discount: trade ? 10 : 0,
      costPriceMultiplier: trade ? 1.25 : null,
      firstName: r.first_name,
      lastName: r.last_name,
      companyName: r.company,
      email: r.email,
      phone: r.phone,
      mobilePhone: trade ? `+44 7700 8${String(r.id).padStart(5, '0').slice(-5)}` : null,
      website: trade && r.company ? `https://${String(r.company).toLowerCase().replace(/[^a-z0-9]+/g, '-')}.test` : null,
      vatNumber: trade ? `GB${String(100000000 + r.id * 7919).slice(-9)}` : null,
      acceptsMarketing: r.marketing_opt_in,
      ...customerAddress(r),
      notes: every(r.id, 13) ? 'Prefers delivery after 5pm.' : null,
      rewardPoints: (r.id * 37) % 500,
    };
  },
  orders: (r) => {
    const billing = r.billing_address as Obj;
    const shipping = r.shipping_address as Obj | null;
    const method = r.shipping_method as Obj | null;
    const payment = r.payment as Obj;
    const status = r.status === 'paid' && every(r.id, 30) ? 'pre_order' : (r.status as string);
    const weight = (((r.id * 131) % 5000) / 1000).toFixed(3);
    const voucher = every(r.id, 60) ? 5 : 0;
    return {
      id: r.id,
      reference: 1000 + r.id,
      archived: r.is_archived === true,
      anonymized: every(r.id, 50),
      trackingUrl: status === 'shipped' && shipping ? `https://track.example.test/${1000 + r.id}` : null,
      status: ORDER_STATUS[status] ?? { id: 0, name: status, type: 'custom', sortOrder: 0 },
      billingAddress: vendorAddress(billing, r.id, `${billing.first_name} ${billing.last_name}`),
      shippingAddress: vendorAddress(shipping, r.id),
      paymentMethod: payment.method,
      total: r.total,
      subTotal: r.subtotal,
      shippingTotal: r.shipping_total,
      originalShippingTotal: r.shipping_total,
      partialPaymentTotal: voucher,
      tax: { type: 'vat', value: r.tax_total },
      discounts: (r.discount_total as number) > 0 ? [{ name: '10% off', value: r.discount_total, type: 'percentage', code: 'SAVE10' }] : [],
      fees: every(r.id, 40) ? [{ name: 'Gift wrap', value: 0, type: 'fixed' }] : [],
      shipping: method ? [{ id: 1 + W_RATE(method.name as string), name: method.name, value: method.price, vatRate: 20 }] : [],
      refunds: status === 'refunded' ? [{ id: r.id, created: rfc2822(Date.parse(r.updated_at_utc as string)), name: 'Refund', value: r.total }] : [],
      products: (r.items as Item[]).map(orderLine),
      comments: r.notes,
      totalWeight: weight,
      weightUnit: 'kg',
      marketing: every(r.id, 3),
      customer: r.customer_id === null ? null : { id: r.customer_id, type: 1 },
      partialPayments: voucher ? [{ type: 'gift_voucher', value: voucher, data: `GV-${r.id}` }] : [],
      invoiceUrl: `${SHOP}/invoice/${1000 + r.id}`,
      earnedRewardPoints: Math.floor(r.total as number),
      preOrder: status === 'pre_order',
      referrerId: every(r.id, 20) ? 3 : null,
      lineItemVatCalculation: every(r.id, 10),
      transactionId: payment.transaction_id,
      packageWeight: weight,
      customerSource: every(r.id, 4) ? 'google' : null,
    };
  },
  shipping_zones: (r) => ({ id: r.id, name: r.name, vat: r.id % 2 === 0 }),
  events: (r) => ({ id: r.id, topic: r.type, subjectType: r.resource_type, subjectId: r.resource_id, data: r.payload }),
  categories: (r) => ({
    id: r.id,
    title: r.name,
    description: r.description,
    slug: r.slug,
    url: `${SHOP}/${r.slug}`,
    active: r.is_visible,
    sortOrder: r.position,
  }),
  themes: (r) => ({ id: r.id, title: r.name, live: r.is_active, previewUrl: `${SHOP}/?preview_theme=${r.id}` }),
};

export function present(stream: Stream, rec: Rec, vendor: boolean): Record<string, unknown> {
  const out = VENDOR[stream](rec);
  if (!VENDOR_UNDATED.includes(stream)) {
    const offset = vendorOffsetMinutes(stream, rec.id);
    // Orders alone call their creation time "created".
    if (rec.created_at_utc) out[stream === 'orders' ? 'created' : 'createdAt'] = rfc2822(Date.parse(rec.created_at_utc as string), offset);
    if (rec.updated_at_utc && VENDOR_UPDATED.includes(stream)) out.updatedAt = rfc2822(Date.parse(rec.updated_at_utc as string), offset);
  }
  if (vendor) return out;
  // The seed's additions: its cursor fields, and zones keyed by uuid (the numeric id is internal there).
  if (rec.created_at_utc && !VENDOR_UNDATED.includes(stream)) out.created_at_utc = rec.created_at_utc;
  if (rec.updated_at_utc && VENDOR_UPDATED.includes(stream)) out.updated_at_utc = rec.updated_at_utc;
  if (stream === 'shipping_zones') {
    const { id: _internal, ...zone } = out;
    return { uuid: rec.uuid, ...zone };
  }
  return out;
}

/** The value a client would use as the record's primary key in the current form. */
export function keyOf(stream: Stream, rec: Rec, vendor: boolean): number | string {
  return stream === 'shipping_zones' && !vendor ? (rec.uuid as string) : rec.id;
}
