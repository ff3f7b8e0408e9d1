import { AirbyteLogger } from 'faros-airbyte-cdk';

import type { ConnectorState, StreamState } from '../protocol';
import { COMPLETED_KEY, RESUME_KEY, RESUME_MAX_AGE_MS, ResumeGuard } from './child-resume';

/**
 * A run: the attempts of one sync, named by the start of its first attempt,
 * and the resumable full-refresh streams it reads. Every resume position and
 * completion mark carries it.
 */
export interface RunId {
  started_at: string;
  streams: string[];
}

/** A resumable stream's full refresh read to the end by `run`, at `written_at` under the config `config_sha256`. */
export interface CompletionMark {
  run: RunId;
  written_at: string;
  config_sha256: string;
}

/** What a resume position or completion mark says of its run; undefined for a shape this connector did not write. */
function runOf(entry: unknown, configSha256: string): { run: RunId; writtenAt: number } | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const e = entry as Record<string, any>;
  const run = e.run;
  const okRun = typeof run?.started_at === 'string' && !Number.isNaN(Date.parse(run.started_at)) && Array.isArray(run.streams) && run.streams.every((s: unknown) => typeof s === 'string');
  const writtenAt = typeof e.written_at === 'string' ? Date.parse(e.written_at) : NaN;
  if (!okRun || Number.isNaN(writtenAt) || e.config_sha256 !== configSha256) return undefined;
  return { run: { started_at: run.started_at, streams: [...run.streams].sort() }, writtenAt };
}

const sameStreams = (a: string[], b: string[]) => a.length === b.length && a.every((s, i) => s === b[i]);

/**
 * Whether this read is the next attempt of a run that was cut, or a new run.
 *
 * Airbyte's platform hands a resumable full refresh's state to the next attempt
 * of the same job and clears it when a new job starts; a stream an earlier
 * attempt finished is not read again. By hand, `npm run sync` or in Faros the
 * last state is handed to the next job too, where a stream skipped because an
 * earlier sync finished it would empty the destination's table (overwrite).
 * So a stream is skipped only when the newest run in the state is unfinished:
 *
 * - the newest run is the latest `run.started_at` among the positions and marks
 *   written under this config;
 * - it is continued only if its latest entry was written within
 *   RESUME_MAX_AGE_MS, it read the same resumable full-refresh streams as this
 *   read selects, and some of them hold no completion mark of it (it was cut);
 * - otherwise (no run, too old, another catalog, or every stream marked: that
 *   sync finished) this read is a new run and reads every stream, and a
 *   position of an earlier run is not used.
 */
export class RunChain {
  private constructor(
    readonly run: RunId,
    /** Streams an earlier attempt of the continued run finished (empty for a new run). */
    private readonly finished: Set<string>,
    private readonly guard: ResumeGuard
  ) {}

  /** The run of a read selecting `streams` (its resumable full-refresh streams), from the saved state. */
  static of(state: ConnectorState, streams: string[], guard: ResumeGuard, logger: AirbyteLogger): RunChain {
    const now = (guard.now ?? Date.now)();
    const selected = [...streams].sort();
    const fresh = (why?: string) => {
      if (why) logger.info(`Resumable full refresh: ${why}; this read is a new sync and reads every stream from the first product.`);
      return new RunChain({ started_at: new Date(now).toISOString(), streams: selected }, new Set(), guard);
    };
    if (selected.length === 0) return fresh();

    const entries = Object.entries(state).flatMap(([stream, streamState]) =>
      [RESUME_KEY, COMPLETED_KEY].flatMap((key) => {
        const found = runOf((streamState as StreamState | undefined)?.[key], guard.configSha256);
        return found ? [{ stream, key, ...found }] : [];
      })
    );
    if (entries.length === 0) return fresh();
    const newest = entries.reduce((a, b) => (Date.parse(b.run.started_at) > Date.parse(a.run.started_at) ? b : a)).run;
    const ofNewest = entries.filter((e) => e.run.started_at === newest.started_at);
    const lastWritten = Math.max(...ofNewest.map((e) => e.writtenAt));
    const finished = new Set(ofNewest.filter((e) => e.key === COMPLETED_KEY).map((e) => e.stream));
    const started = `the sync started at ${newest.started_at}`;
    if (now - lastWritten > RESUME_MAX_AGE_MS) return fresh(`${started} last wrote its state more than ${RESUME_MAX_AGE_MS / 3_600_000} hours ago`);
    if (!sameStreams(newest.streams, selected)) return fresh(`${started} read other streams (${newest.streams.join(', ')})`);
    if (selected.every((s) => finished.has(s))) return fresh(`${started} finished every stream`);
    const done = selected.filter((s) => finished.has(s));
    logger.info(
      `Resumable full refresh: continuing ${started}, which was cut${done.length ? `; finished then, not read again: ${done.join(', ')}` : ''}.`
    );
    return new RunChain(newest, new Set(done), guard);
  }

  /** `stream`'s full refresh was read to the end by an earlier attempt of this run. */
  finishedEarlier(stream: string): boolean {
    return this.finished.has(stream);
  }

  /** Whether a saved resume position may be used: one of this run; one written before runs were recorded is left to its own checks. */
  owns(position: { run?: RunId }): boolean {
    return position.run === undefined || position.run.started_at === this.run.started_at;
  }

  /** What a position or mark written now records of the run. */
  stamp(): CompletionMark {
    return { run: this.run, written_at: new Date((this.guard.now ?? Date.now)()).toISOString(), config_sha256: this.guard.configSha256 };
  }
}
