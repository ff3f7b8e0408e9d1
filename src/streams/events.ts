import { EVENTS } from '../read/vendor';
import { ListStream, StreamContext } from './base';

export class Events extends ListStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: EVENTS.stream, path: EVENTS.path, primaryKey: 'id', cursor: { field: 'created_at_utc', eventsLog: true } });
  }
}
