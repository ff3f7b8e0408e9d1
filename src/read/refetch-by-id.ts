// The file, not '../http': the http barrel would load axios for one formula.
import { askAgainAfter404 } from '../http/retry-policy';
import { ApiError } from '../protocol';
import { EcommerceStream, StreamContext } from '../streams';
import { readPage, readRecord } from './dialect';
import { DELETED_AT } from './deletions';
import { existenceOf, RecordExistence } from './existence';
import { Page, Rec } from './pagination';
import { IDS_MAX, IDS_PARAM, OFFSET_PARAM, recordPath } from './vendor';

type Id = string | number;

/**
 * Reads records again by id (the changes the events log named that the list
 * read did not bring), shaped exactly as the list gives them. Where the list
 * takes `ids=1,2,3` (orders), a page's worth at a time, every answer checked:
 * a record not asked for shows the server does not honour the filter — it is
 * dropped and the rest of the run asks one record at a time; an id that does
 * not come back is asked singly. One record: `GET <path>/{id}`. A 404 there
 * is asked once more after a backoff (a proxy's or cache's hiccup must not cost
 * a change: the feed's cursor moves past it at the end of the sync); a second
 * 404 means the record was deleted when the existence rule (src/read/existence.ts)
 * confirms the endpoint answers for records that exist: a deletion record
 * (src/read/deletions.ts) leaves for it, never a failure. An event alone
 * (`order.deleted`) proves nothing: it only names the record to ask. Unconfirmed, the stream fails rather than let the
 * feed's cursor move past a change it never read.
 */
export class RefetchById {
  private idsHonoured: boolean;
  private readonly existence: RecordExistence;

  constructor(
    private readonly stream: EcommerceStream,
    private readonly ctx: Pick<StreamContext, 'client' | 'config' | 'logger'>,
    /** Records the list read this run: they exist, so they can vouch for the single-record endpoint. */
    private readonly listed: () => Id[],
    /** The deletion record of a record the API confirms deleted. */
    private readonly deletionOf: (id: Id) => Rec
  ) {
    this.idsHonoured = Boolean(stream.definition.filtersByIds && ctx.config.use_order_filters);
    this.existence = existenceOf(ctx.client, stream.definition.path);
  }

  /**
   * Records that exist, to vouch for the single-record endpoint: those listed this run, else the ids of the
   * list's first page (a sync that listed nothing, e.g. no new order and no window, must not fail for want of one).
   */
  private async knownToExist(): Promise<Id[]> {
    const listed = this.listed();
    if (listed.length > 0) return listed;
    for await (const page of this.stream.readSlice(undefined)) {
      const ids = page.records.map((r) => r.id).filter((id): id is Id => typeof id === 'string' || typeof id === 'number');
      if (ids.length > 0) return ids;
    }
    return [];
  }

  async *read(ids: Id[]): AsyncGenerator<Page> {
    const notFound: Id[] = [];
    const size = Math.min(this.ctx.config.page_size, IDS_MAX);
    for (let i = 0; i < ids.length; i += size) {
      const batch = ids.slice(i, i + size);
      const found = this.idsHonoured && batch.length > 1 ? await this.byIdsFilter(batch) : [];
      const missing = batch.filter((id) => !found.some((r) => String(r.id) === String(id)));
      const single: Rec[] = [];
      for (const id of missing) {
        const record = await this.one(id);
        if (record) single.push(record);
        else notFound.push(id);
      }
      yield* this.normalized([...found, ...single]);
    }
    if (notFound.length === 0) return;
    // One wait for all of them, then each asked once more.
    const { found: second, notFound: deleted } = await askAgainAfter404(notFound, (id) => this.one(id), {
      retries: 1,
      backoffFactor: this.ctx.config.backoff_factor,
      before: (keys, _, wait) =>
        this.ctx.logger.info(
          `Stream '${this.stream.name}': ${keys.length} record(s) the events log names as changed answered 404 Not Found; asking each once more in ${(wait / 1000).toFixed(1)} s before taking them as deleted.`
        ),
    });
    yield* this.normalized(second);
    if (deleted.length > 0 && !(await this.existence.confirmsDeletion(deleted[0], this.stream.name, () => this.knownToExist()))) {
      const where = recordPath(this.stream.definition.path, deleted[0]);
      throw new ApiError(
        `Stream '${this.stream.name}': ${deleted.length} record(s) the events log names as changed answered 404 Not Found twice when read again (${deleted.map((id) => JSON.stringify(id)).join(', ')}), and the API cannot confirm they were deleted (${recordPath(this.stream.definition.path, '{id}').replace('%7Bid%7D', '{id}')} is not served here or answers 404 even for a listed record). Rather than move the change feed past a change it never read, the stream fails; the next sync asks again.`,
        'system_error',
        404,
        where,
        undefined,
        this.stream.name
      );
    }
    if (deleted.length > 0) {
      this.ctx.logger.info(
        `Stream '${this.stream.name}': ${deleted.length} record(s) the events log names as changed answered 404 Not Found twice when read again, so they were deleted since: ${deleted.map((id) => JSON.stringify(id)).join(', ')}. Each leaves as a deletion record (${DELETED_AT}).`
      );
      yield { records: deleted.map(this.deletionOf) };
    }
  }

  private *normalized(records: Rec[]): Generator<Page> {
    for (const record of records) this.stream.normalize(record);
    if (records.length > 0) yield { records };
  }

  private async byIdsFilter(batch: Id[]): Promise<Rec[]> {
    const { client, config, logger } = this.ctx;
    const path = this.stream.definition.path;
    const res = await client.get(path, { [IDS_PARAM]: batch.join(','), [OFFSET_PARAM]: 0, [config.page_size_parameter]: config.page_size }, this.stream.name);
    const records = readPage(res.body)?.records ?? [];
    const asked = new Set(batch.map(String));
    const kept = records.filter((r) => asked.has(String(r.id)));
    if (kept.length < records.length) {
      this.idsHonoured = false;
      logger.info(
        `Stream '${this.stream.name}': the API answered ${path}?${IDS_PARAM}=… with records not asked for, so it does not honour ids; those are dropped and changed records are read one at a time for the rest of the sync.`
      );
    }
    return kept;
  }

  /** The record, or undefined when the API says it no longer exists. */
  private async one(id: Id): Promise<Rec | undefined> {
    const path = recordPath(this.stream.definition.path, id);
    try {
      const res = await this.ctx.client.get(path, undefined, this.stream.name, 'record');
      const record = readRecord(res.body);
      if (!record || String(record.id) !== String(id)) {
        throw new ApiError(
          `Stream '${this.stream.name}': ${path} answered with ${record ? `record ${JSON.stringify(record.id)}` : 'no record'} instead of record ${JSON.stringify(id)}; rather than emit the wrong row, the stream stops.`,
          'system_error',
          res.status,
          path,
          undefined,
          this.stream.name
        );
      }
      this.existence.proven();
      return record;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }
}
