import { ProductChildStream, StreamContext } from './base';

export class ProductsVariations extends ProductChildStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'products_variations', path: '/v1/products/{prd_id}/variations', primaryKey: 'id', embeddedAs: 'variations' });
  }
}
