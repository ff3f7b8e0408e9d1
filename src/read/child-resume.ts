import { createHash, Hash } from 'node:crypto';

import { AirbyteLogger, AirbyteStream } from 'faros-airbyte-cdk';

import type { StreamState } from '../protocol';
import type { ProductKey, Slice } from './product-list';
import type { RunChain, RunId } from './run-chain';

/** The key of a child stream's state that holds where a cut full refresh stopped. */
export const RESUME_KEY = 'resume';

/** The key of the mark that its full refresh was read to the end, and by which run (src/read/run-chain.ts). */
export const COMPLETED_KEY = 'completed';

/** A full refresh of a child stream checkpoints each time this many more products are finished. */
export const CHECKPOINT_EVERY_PRODUCTS = 25;

/**
 * Where a full refresh of a per-product stream stopped: the first
 * `products_done` products of the list (in list order) had every child
 * emitted, the last of them being `last_product`. `prefix_sha256` is the hash
 * of those ids, in order, so that a resumed read can tell that the list still
 * starts with exactly those products before it skips them.
 */
export interface ResumePosition {
  products_done: number;
  last_product: ProductKey;
  prefix_sha256: string;
  /** When the position was written, and the config (without secrets) of the sync that wrote it; absent in older states. */
  written_at?: string;
  config_sha256?: string;
  /** The run that wrote it (src/read/run-chain.ts); absent in older states. */
  run?: RunId;
}

/**
 * A position is for the next attempt of the same sync job (Airbyte retries
 * within minutes to hours): one older than this, or written under another
 * config, belongs to a sync that ended, and the full refresh reads everything.
 */
export const RESUME_MAX_AGE_MS = 6 * 60 * 60 * 1000;

/** What a position must match to be used: the config's fingerprint, and the clock. */
export interface ResumeGuard {
  configSha256: string;
  now?: () => number;
}

/**
 * Airbyte's resumable full refresh (protocol 0.10): the platform passes such
 * a stream's last state to the next attempt of a job. The protocol asks a
 * source-defined cursor of a resumable stream, synthetic ones included: here
 * the position in the product list.
 */
export function resumable(stream: AirbyteStream): AirbyteStream & { is_resumable: true } {
  return { ...stream, source_defined_cursor: true, is_resumable: true };
}

/** How an id enters the prefix hash: its JSON, so 7 and "7" differ. */
const hashed = (id: ProductKey) => `${JSON.stringify(id)}\n`;

/**
 * A full refresh of one child stream made resumable. Slices go out in list
 * order; a product counts as done only when it and every product before it
 * are done (several are read at once), so a checkpoint covers a finished
 * prefix of the list and never a product still being read.
 *
 * Given a saved position, the first `products_done` listed products are held
 * back until the list has shown that many: when they are the same products in
 * the same order (hash) ending with `last_product`, they are skipped; when the
 * list changed before that point (a product added, removed or moved there),
 * nobody is skipped and the stream starts over. Products added or removed
 * after that point change nothing: the rest of the list is read as it is now.
 */
export class ChildResume {
  /** Products done, the finished prefix; the seq of the next slice to finish it. */
  private done = 0;
  private lastDone?: ProductKey;
  private doneHash: Hash = createHash('sha256');
  private checkpointedAt = 0;
  private next = 0;
  /** Slices handed out and not yet part of the prefix, by seq. */
  private readonly open = new Map<number, { id: ProductKey; finished: boolean }>();

  private constructor(
    private readonly stream: string,
    /** The stream's state apart from the position (e.g. a cursor kept for a later incremental sync). */
    private readonly rest: StreamState,
    private readonly saved: ResumePosition | undefined,
    private readonly logger: AirbyteLogger,
    private readonly guard: ResumeGuard | undefined,
    private readonly run: RunChain | undefined,
    /** The completion mark of an earlier attempt of this run: the stream is not read again. */
    private readonly finishedEarlier: StreamState | undefined
  ) {}

  /**
   * For a full refresh of `stream` given its saved state (any shape: a bad,
   * stale or foreign position is warned about and ignored) and the run this
   * read belongs to (src/read/run-chain.ts), which says whether an earlier
   * attempt finished the stream.
   */
  static start(stream: string, state: StreamState | undefined, logger: AirbyteLogger, guard?: ResumeGuard, run?: RunChain): ChildResume {
    const { [RESUME_KEY]: raw, [COMPLETED_KEY]: mark, ...rest } = state ?? {};
    if (run?.finishedEarlier(stream)) {
      logger.info(`Stream '${stream}': an earlier attempt of this sync (started at ${run.run.started_at}) read it to the end; not read again.`);
      return new ChildResume(stream, rest, undefined, logger, guard, run, { [COMPLETED_KEY]: mark });
    }
    let saved: ResumePosition | undefined;
    if (raw !== undefined) {
      saved = position(raw);
      const why = !saved
        ? `is not a position this connector wrote (${JSON.stringify(raw).slice(0, 200)})`
        : (guard && outlived(saved, guard)) || (run && !run.owns(saved) && `was written by the sync started at ${saved.run!.started_at}, not the one this read continues`);
      if (why) {
        saved = undefined;
        logger.warn(`Stream '${stream}': the saved state's '${RESUME_KEY}' ${why}; the full refresh starts from the first product.`);
      }
    }
    return new ChildResume(stream, rest, saved, logger, guard, run, undefined);
  }

  /** The slices still to read, each with its sequence number for `finished()`. */
  async *pending(slices: AsyncIterable<Slice>): AsyncGenerator<{ slice: Slice; seq: number }> {
    if (this.finishedEarlier) return;
    const saved = this.saved;
    let held: Slice[] | undefined = saved ? [] : undefined;
    const probe = createHash('sha256');

    for await (const slice of slices) {
      if (!held) {
        yield this.handOut(slice);
        continue;
      }
      held.push(slice);
      probe.update(hashed(slice!.prd_id));
      if (held.length < saved!.products_done) continue;
      const same = probe.copy().digest('hex') === saved!.prefix_sha256 && hashed(slice!.prd_id) === hashed(saved!.last_product);
      if (same) {
        this.logger.info(
          `Stream '${this.stream}': resuming the full refresh after product ${JSON.stringify(saved!.last_product)}: the first ${saved!.products_done} products, unchanged in the list, were read by the sync that stopped.`
        );
        this.done = this.next = this.checkpointedAt = saved!.products_done;
        this.lastDone = saved!.last_product;
        this.doneHash = probe;
      } else {
        this.startsOver(`its first ${saved!.products_done} products are no longer the ones read before`);
        for (const h of held) yield this.handOut(h);
      }
      held = undefined;
    }
    if (held) {
      this.startsOver(`it now has ${held.length} products, fewer than the ${saved!.products_done} read before`);
      for (const h of held) yield this.handOut(h);
    }
  }

  /** The slice `seq` has had every record emitted. */
  finished(seq: number): void {
    const entry = this.open.get(seq);
    if (entry) entry.finished = true;
    for (let head = this.open.get(this.done); head?.finished; head = this.open.get(this.done)) {
      this.open.delete(this.done);
      this.doneHash.update(hashed(head.id));
      this.lastDone = head.id;
      this.done++;
    }
  }

  /** true when enough products were finished since the last checkpoint; the caller then emits `checkpoint()`. */
  checkpointDue(): boolean {
    return this.done - this.checkpointedAt >= CHECKPOINT_EVERY_PRODUCTS;
  }

  /** The state covering the finished prefix. */
  checkpoint(): StreamState {
    this.checkpointedAt = this.done;
    if (this.lastDone === undefined) return { ...this.rest };
    const at: ResumePosition = {
      products_done: this.done,
      last_product: this.lastDone,
      prefix_sha256: this.doneHash.copy().digest('hex'),
      ...(this.guard && { written_at: new Date((this.guard.now ?? Date.now)()).toISOString(), config_sha256: this.guard.configSha256 }),
      ...(this.run && this.run.stamp()),
    };
    return { ...this.rest, [RESUME_KEY]: at };
  }

  /**
   * The state once the stream was read to the end: no position, and the run's
   * completion mark, so that a later attempt of this run skips the stream and
   * a new sync reads it whole (src/read/run-chain.ts).
   */
  final(): StreamState {
    if (this.finishedEarlier) return { ...this.rest, ...this.finishedEarlier };
    return { ...this.rest, ...(this.run && { [COMPLETED_KEY]: this.run.stamp() }) };
  }

  private handOut(slice: Slice): { slice: Slice; seq: number } {
    const seq = this.next++;
    this.open.set(seq, { id: slice!.prd_id, finished: false });
    return { slice, seq };
  }

  private startsOver(why: string): void {
    this.logger.warn(
      `Stream '${this.stream}': the saved position (after product ${JSON.stringify(this.saved!.last_product)}, ${this.saved!.products_done} products done) does not fit the product list as it is now: ${why}. Rather than skip a product, the full refresh starts from the first product.`
    );
  }
}

/** Why a position belongs to a sync that ended: written too long ago, or under another config; undefined when it may be used. */
function outlived(saved: ResumePosition, guard: ResumeGuard): string | undefined {
  const written = saved.written_at === undefined ? undefined : Date.parse(saved.written_at);
  const age = written === undefined ? undefined : (guard.now ?? Date.now)() - written;
  if (age !== undefined && (Number.isNaN(age) || age > RESUME_MAX_AGE_MS)) {
    return `was written at ${saved.written_at}, more than ${RESUME_MAX_AGE_MS / 3_600_000} hours ago, by a sync that has ended`;
  }
  if (saved.config_sha256 !== undefined && saved.config_sha256 !== guard.configSha256) return 'was written by a sync with another config';
  return undefined;
}

/** The config's fingerprint for a resume position: every field but the credentials, keys sorted. */
export function configSha256(config: Record<string, unknown>): string {
  const { api_key: _key, api_secret: _secret, ...rest } = config;
  const sorted = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

function position(raw: unknown): ResumePosition | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const p = raw as Record<string, unknown>;
  const okId = typeof p.last_product === 'string' || typeof p.last_product === 'number';
  const okCount = Number.isSafeInteger(p.products_done) && (p.products_done as number) > 0;
  const okHash = typeof p.prefix_sha256 === 'string' && /^[0-9a-f]{64}$/.test(p.prefix_sha256);
  return okId && okCount && okHash ? (p as unknown as ResumePosition) : undefined;
}
