import { ProductChildStream, StreamContext } from './base';

export class ProductsImages extends ProductChildStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'products_images', path: '/v1/products/{prd_id}/images', primaryKey: 'id', embeddedAs: 'images' });
  }
}
