import { ProductChildStream, StreamContext } from './base';

/**
 * One high-water mark for all reviews, not one per product. The API cannot
 * filter reviews server-side, so every sync reads every product's reviews
 * anyway; per-product state would buy no request and would grow with the
 * catalog, re-sent in every STATE message. The mark is safe for children read
 * over time because it never passes the server clock at the stream's first
 * answer (see CursorFilter.final), and mid-stream checkpoints keep the previous
 * mark, so state never covers a product whose reviews were not read.
 */
export class ProductsReviews extends ProductChildStream {
  constructor(ctx: StreamContext) {
    super(ctx, {
      name: 'products_reviews',
      path: '/v1/products/{prd_id}/reviews',
      primaryKey: 'id',
      cursor: { field: 'created_at_utc' },
    });
  }
}
