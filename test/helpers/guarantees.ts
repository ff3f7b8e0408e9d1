/**
 * Shared pieces of the guarantees suite (test/guarantees): the connector's
 * streams as a test sees them, a config that never paces or waits long, one
 * call that writes the input files and spawns the real bin/main, and the
 * comparisons with the sandbox's ground truth.
 */
import http from 'node:http';

import { Sandbox, SandboxOptions, startSandbox } from '../../sandbox/server';
import { Message, Run, catalogFor, ofType, runConnector, traces, workDir } from './connector';
import { StreamRow, STREAM_TABLE } from '../../scripts/streams';
import { compareRecords } from '../../scripts/truth-check';
import { json, scriptedServer } from './scripted-server';

export type Rec = Record<string, any>;

/** A stream of the shared table (scripts/streams.ts), with `child` for the per-product ones. */
export type StreamInfo = StreamRow & { child?: boolean };

/** The 14 streams, in the seed's order: the shared table, not a copy. */
export const STREAMS: StreamInfo[] = STREAM_TABLE.map((s) => ({ ...s, child: !!s.parent }));
export const STREAM = Object.fromEntries(STREAMS.map((s) => [s.name, s])) as Record<string, StreamInfo>;
export const ALL = STREAMS.map((s) => s.name);
export const CURSOR_STREAMS = STREAMS.filter((s) => s.cursor).map((s) => s.name);
export const CHILD_STREAMS = STREAMS.filter((s) => s.child).map((s) => s.name);

export const KEY = 'demo_key';
export const SECRET = 'demo_secret';

/** A config for tests: no client-side pacing, fast retries, short timeouts. */
export function testConfig(baseUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    api_key: KEY,
    api_secret: SECRET,
    base_url: baseUrl,
    rate_limit_capacity: 0,
    backoff_factor: 0.01,
    max_retries: 3,
    request_timeout_seconds: 10,
    ...extra,
  };
}

/** Sandboxes, scripted servers and temp dirs a test started; `closeAll()` in afterEach/afterAll. */
export class Resources {
  private closers: Array<() => Promise<void> | void> = [];

  async sandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
    const sb = await startSandbox({ rateLimitCapacity: 0, ...opts });
    this.closers.push(() => sb.close());
    return sb;
  }

  /** A temp dir, removed by closeAll(). */
  dir(): ReturnType<typeof workDir> {
    const dir = workDir();
    this.closers.push(() => dir.cleanup());
    return dir;
  }

  async server(handler: Parameters<typeof scriptedServer>[0]) {
    const server = await scriptedServer(handler);
    this.closers.push(() => server.close());
    return server;
  }

  async closeAll(): Promise<void> {
    const closers = this.closers.splice(0);
    await Promise.all(closers.map((c) => c()));
  }
}

export interface ReadOptions {
  /** Stream names; default all 14. */
  streams?: string[];
  mode?: 'full_refresh' | 'incremental';
  /** Written as the --state file when given (any JSON value, or raw text). */
  state?: unknown;
  onMessage?: (m: Message, child: import('node:child_process').ChildProcess) => void;
  timeoutMs?: number;
  env?: Record<string, string>;
}

/** Writes config, catalog (and state) to a temp dir and runs `bin/main read`. */
export async function read(config: unknown, opts: ReadOptions = {}): Promise<Run> {
  const dir = workDir();
  try {
    const streams = (opts.streams ?? ALL).map((n) => STREAM[n] ?? { name: n, pk: 'id', path: '' });
    const args = [
      'read',
      '--config',
      dir.write('config.json', config),
      '--catalog',
      dir.write('catalog.json', catalogFor(streams, opts.mode ?? 'full_refresh')),
    ];
    if (opts.state !== undefined) args.push('--state', dir.write('state.json', opts.state));
    return await runConnector(args, { timeoutMs: opts.timeoutMs ?? 60_000, onMessage: opts.onMessage, env: opts.env });
  } finally {
    dir.cleanup();
  }
}

/** Runs `bin/main <command>` with the given files (content written to a temp dir; strings are written raw). */
export async function runWithFiles(
  command: string,
  files: { config?: unknown; catalog?: unknown; state?: unknown },
  opts: { timeoutMs?: number; env?: Record<string, string> } = {}
): Promise<Run> {
  const dir = workDir();
  try {
    const args = [command];
    for (const name of ['config', 'catalog', 'state'] as const) {
      if (files[name] !== undefined) args.push(`--${name}`, dir.write(`${name}.json`, files[name]));
    }
    return await runConnector(args, { timeoutMs: opts.timeoutMs ?? 30_000, env: opts.env });
  } finally {
    dir.cleanup();
  }
}

export const errorTraces = (run: Run) => traces(run, 'ERROR').map((t) => t.error);

export const logs = (run: Run, level?: string): string[] =>
  ofType(run, 'LOG')
    .filter((m) => !level || m.log.level === level)
    .map((m) => m.log.message as string);

export const statusesOf = (run: Run, stream: string): string[] =>
  traces(run, 'STREAM_STATUS')
    .filter((t) => t.stream_status.stream_descriptor.name === stream)
    .map((t) => t.stream_status.status);

export const statesOf = (run: Run, stream: string): Rec[] =>
  ofType(run, 'STATE')
    .filter((m) => m.state.stream.stream_descriptor.name === stream)
    .map((m) => m.state.stream.stream_state);

export interface Diff {
  missing: unknown[];
  extra: unknown[];
  duplicates: unknown[];
  /** Keys whose last emitted version differs from the truth. */
  changed: unknown[];
}

/**
 * The sandbox's records as the connector should emit them: the truth, each
 * child record with `product_id`, the product the sandbox files it under (the
 * API's child records do not name it; the connector adds it).
 */
export function emittedTruth(sb: Sandbox): Record<string, Rec[]> {
  return sb.emittedTruth() as Record<string, Rec[]>;
}

/**
 * Emitted records of one stream against emittedTruth, merged by primary key (later wins, as a dedup destination
 * would): the shared comparison of scripts/truth-check.ts, reduced to keys.
 */
export function diff(emitted: Rec[], truth: Rec[], pk: string): Diff {
  const merged = compareRecords(emitted, truth, { key: pk, merge: true });
  const keys = new Map<string, unknown>();
  for (const r of emitted) keys.set(JSON.stringify(r[pk] ?? null), r[pk]);
  for (const r of truth) keys.set(JSON.stringify(r[pk] ?? null), r[pk]);
  const duplicates: unknown[] = [];
  const seen = new Set<string>();
  for (const r of emitted) {
    const k = JSON.stringify(r[pk] ?? null);
    if (seen.has(k)) duplicates.push(r[pk]);
    seen.add(k);
  }
  return {
    missing: merged.missing.map((k) => keys.get(k)),
    extra: merged.extra.map((k) => keys.get(k)),
    duplicates,
    changed: merged.changed.map((c) => keys.get(c.key)),
  };
}

export const CLEAN: Diff = { missing: [], extra: [], duplicates: [], changed: [] };


/** An instant in ms from an ISO 8601 string, or undefined. */
export function instant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * A scripted list endpoint that honours offset and limit and reports the total,
 * like the documented API: `lists` maps a path such as /v1/orders to its records.
 * Any other path is a 404.
 */
export function listHandler(lists: Record<string, Rec[]>) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const list = lists[url.pathname];
    if (!list) return json(res, 404, { error: { message: `Not found: ${url.pathname}` } });
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 20);
    json(res, 200, { data: list.slice(offset, offset + limit), total: list.length });
  };
}

/** The least number of list requests for n records at a page size, when the API reports the total. */
export const minRequests = (n: number, pageSize: number) => Math.max(1, Math.ceil(n / pageSize));
