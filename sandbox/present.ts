import { STREAMS, Stream } from './resources';
import { Rec } from './store';
import { rfc2822 } from './time';

// Records are stored once, in the seed form; this file renders them in the
// form the server is currently speaking. The truth endpoint uses the same
// rendering, so "truth" is always exactly what the API would serve.
//
// The vendor form follows the vendor's help pages (help.shopwired.co.uk/api/...)
// and the fields Airbyte's source-shopwired saw in live records (its schemas):
// documented names and types, no product id in child records, no uuid on
// shipping zones, no dates where the vendor shows none, updatedAt on products
// only. Fields of the seed form with no vendor counterpart are left out.

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

/** Order status names of the seed form → the vendor's status object (type is paid, unpaid, cancelled, shipped or custom). */
const ORDER_STATUS: Record<string, { id: number; name: string; type: string }> = {
  placed: { id: 1, name: 'Placed', type: 'unpaid' },
  paid: { id: 2, name: 'Paid', type: 'paid' },
  shipped: { id: 3, name: 'Shipped', type: 'shipped' },
  cancelled: { id: 4, name: 'Cancelled', type: 'cancelled' },
  refunded: { id: 5, name: 'Refunded', type: 'custom' },
};

function vendorAddress(a: Obj | null | undefined, name?: string): Obj | null {
  if (!a) return null;
  return {
    name: name ?? null,
    addressLine1: a.line1 ?? null,
    addressLine2: a.line2 ?? null,
    city: a.city ?? null,
    postcode: a.postcode ?? null,
    country: a.country_code ?? null,
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
    return {
      id: r.id,
      title: r.title,
      description: r.description,
      active: r.is_active,
      price: r.price,
      salePrice: r.sale_price,
      costPrice: r.cost_price,
      sku: r.sku,
      stock: r.stock,
      weight: r.weight,
      slug: r.slug,
      url: `${SHOP}/${r.slug}`,
      metaTitle: seo.title,
      metaDescription: seo.description,
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
    const address = ((r.addresses as Obj[])[0] ?? {}) as Obj;
    return {
      id: r.id,
      trade: r.is_trade,
      active: true,
      firstName: r.first_name,
      lastName: r.last_name,
      email: r.email,
      phone: r.phone,
      addressLine1: address.line1 ?? null,
      addressLine2: address.line2 ?? null,
      city: address.city ?? null,
      postcode: address.postcode ?? null,
      acceptsMarketing: r.marketing_opt_in,
      companyName: r.company,
    };
  },
  orders: (r) => {
    const billing = r.billing_address as Obj;
    return {
      id: r.id,
      reference: 1000 + r.id,
      archived: false,
      status: ORDER_STATUS[r.status as string] ?? { id: 0, name: String(r.status), type: 'custom' },
      billingAddress: vendorAddress(billing, `${billing.first_name} ${billing.last_name}`),
      shippingAddress: vendorAddress(r.shipping_address as Obj | null),
      paymentMethod: (r.payment as Obj).method,
      subTotal: r.subtotal,
      shippingTotal: r.shipping_total,
      total: r.total,
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
  if (!vendor) {
    if (stream !== 'shipping_zones') return rec;
    // The seed API identifies zones by uuid only; the numeric id is internal.
    const { id: _internal, ...zone } = rec;
    return zone;
  }
  const out = VENDOR[stream](rec);
  if (VENDOR_UNDATED.includes(stream)) return out;
  const offset = vendorOffsetMinutes(stream, rec.id);
  // Orders alone call their creation time "created".
  if (rec.created_at_utc) out[stream === 'orders' ? 'created' : 'createdAt'] = rfc2822(Date.parse(rec.created_at_utc as string), offset);
  if (rec.updated_at_utc && VENDOR_UPDATED.includes(stream)) out.updatedAt = rfc2822(Date.parse(rec.updated_at_utc as string), offset);
  return out;
}

/** The value a client would use as the record's primary key in the current form. */
export function keyOf(stream: Stream, rec: Rec, vendor: boolean): number | string {
  return stream === 'shipping_zones' && !vendor ? (rec.uuid as string) : rec.id;
}
