import { ListStream, StreamContext } from './base';

export class Countries extends ListStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'countries', path: '/v1/countries', primaryKey: 'id', paginated: false });
  }
}
