import { PRODUCTS_PATH } from '../read/vendor';
import { ListStream, StreamContext } from './base';

/** The products list; the sync reads it through the shared ProductList, so the child streams reuse this read. */
export class Products extends ListStream {
  override readonly emitsProductList = true;

  constructor(ctx: StreamContext) {
    super(ctx, { name: 'products', path: PRODUCTS_PATH, primaryKey: 'id', cursor: { field: 'updated_at_utc', deletedWhenUnlisted: true }, countable: true });
  }
}
