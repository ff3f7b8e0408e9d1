import { ListStream, StreamContext } from './base';

export class ChoiceSets extends ListStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'choice_sets', path: '/v1/choice-sets', primaryKey: 'id' });
  }
}
