import { ProductChildStream, StreamContext } from './base';

export class ProductOptions extends ProductChildStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'product_options', path: '/v1/products/{prd_id}/options', primaryKey: 'id', embeddedAs: 'options' });
  }
}
