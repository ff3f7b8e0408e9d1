import { Page } from '../pagination';
import { ListStream, Slice, StreamContext } from './base';

export class Products extends ListStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'products', path: '/v1/products', primaryKey: 'id', cursorField: 'updated_at_utc' });
    ctx.products.setLister(() => this.readSlice(undefined));
  }

  /** The list is read once per sync: the child streams take their product ids from this read. */
  override readSlice(slice: Slice): AsyncGenerator<Page> {
    return this.ctx.products.tap(super.readSlice(slice));
  }
}
