import { ProductChildStream, StreamContext } from './base';

/**
 * One high-water mark for all reviews, not one per product. Each product's
 * reviews are asked newest first and its list stops after the first page that
 * reaches a review older than the mark (src/read/newest-first.ts), so a product
 * with nothing new costs its one request; per-product state could not save that
 * request (reviews have no other filter) and would grow with the catalog,
 * re-sent in every STATE message. The mark is safe for children read
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
      cursor: { field: 'created_at_utc', newestFirst: true },
    });
  }
}
