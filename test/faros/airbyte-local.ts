/**
 * What Faros' `airbyte-local` CLI (github.com/faros-ai/airbyte-local-cli,
 * airbyte-local-cli-nodejs/src/utils.ts) does between this connector and Faros'
 * destination, so that a test can put the real destination where the CLI puts it:
 * - the source catalog is `discover`'s, minus streams marked `disabled`,
 *   incremental where supported unless `full_refresh` is asked, destination mode
 *   append (incremental) or overwrite (full refresh), no cursor or key;
 * - the destination catalog is the same with every stream name prefixed;
 * - only RECORD and STATE messages reach the destination, with the prefix on
 *   `record.stream` (so it never sees stream statuses: hence
 *   `skip_source_success_check`, docs/faros.md).
 * Then the destination runs as the CLI runs its image: `write` on stdin.
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';

import { DESTINATION_MAIN } from '../../scripts/faros-destination/install';
import { MAIN, Message, ROOT } from '../helpers/connector';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface CatalogOverride {
  stream: { name: string };
  sync_mode?: 'incremental' | 'full_refresh';
  destination_sync_mode?: string;
  disabled?: boolean;
}

/** The configured catalog airbyte-local builds from `discover`'s catalog and the config file's `src.catalog`. */
export function cliCatalog(discovered: Json, overrides: CatalogOverride[]): Json {
  const byName = new Map(overrides.map((o) => [o.stream.name, o]));
  return {
    streams: discovered.streams
      .filter((s: Json) => !byName.get(s.name)?.disabled)
      .map((s: Json) => {
        const override = byName.get(s.name);
        const incremental = s.supported_sync_modes?.includes('incremental') && override?.sync_mode !== 'full_refresh';
        return {
          stream: { name: s.name, json_schema: {}, supported_sync_modes: s.supported_sync_modes },
          sync_mode: incremental ? 'incremental' : 'full_refresh',
          destination_sync_mode: override?.destination_sync_mode ?? (incremental ? 'append' : 'overwrite'),
        };
      }),
  };
}

export const withPrefix = (catalog: Json, prefix: string): Json => ({
  streams: catalog.streams.map((s: Json) => ({ ...s, stream: { ...s.stream, name: `${prefix}${s.stream.name}` } })),
});

export interface Sync {
  /** Every message the connector wrote. */
  source: Message[];
  sourceExit: number | null;
  /** Every message the destination wrote (LOG lines, dry-run RECORDs, STATE). */
  destination: Message[];
  destinationExit: number | null;
  destinationStderr: string;
}

/**
 * One sync as airbyte-local runs it: `bin/main read` piped, line by line, into
 * `airbyte-faros-destination write` (the files name the configs and catalogs).
 */
export function runSync(args: {
  sourceConfig: string;
  sourceCatalog: string;
  /** The CLI's state file: `{}` at first, then the per-stream states of the last sync. */
  sourceState: string;
  destinationConfig: string;
  destinationCatalog: string;
  prefix: string;
  dryRun: boolean;
  timeoutMs: number;
}): Promise<Sync> {
  return new Promise((resolve, reject) => {
    const sourceArgs = ['read', '--config', args.sourceConfig, '--catalog', args.sourceCatalog, '--state', args.sourceState];
    const source = spawn(process.execPath, [MAIN, ...sourceArgs], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const destinationArgs = ['write', '--config', args.destinationConfig, '--catalog', args.destinationCatalog];
    if (args.dryRun) destinationArgs.push('--dry-run');
    const destination = spawn(process.execPath, [DESTINATION_MAIN, ...destinationArgs], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const sync: Sync = { source: [], sourceExit: null, destination: [], destinationExit: null, destinationStderr: '' };
    const timer = setTimeout(() => {
      source.kill('SIGKILL');
      destination.kill('SIGKILL');
    }, args.timeoutMs);

    source.stderr.resume();
    readline.createInterface({ input: source.stdout }).on('line', (line) => {
      if (!line.trim()) return;
      const message = JSON.parse(line) as Message;
      sync.source.push(message);
      const out = message.type === 'RECORD' ? { ...message, record: { ...message.record, stream: `${args.prefix}${message.record.stream}` } } : message;
      if (out.type === 'RECORD' || out.type === 'STATE') destination.stdin.write(`${JSON.stringify(out)}\n`);
    });
    // Like the CLI, the destination's input ends only when the source exited 0.
    source.on('close', (code) => {
      sync.sourceExit = code;
      if (code === 0) destination.stdin.end();
      else destination.kill('SIGTERM');
    });
    destination.stdin.on('error', () => undefined); // a destination that died early shows in its exit code
    readline.createInterface({ input: destination.stdout }).on('line', (line) => {
      if (line.trim()) sync.destination.push(JSON.parse(line) as Message);
    });
    destination.stderr.setEncoding('utf8').on('data', (chunk: string) => (sync.destinationStderr += chunk));
    source.on('error', reject);
    destination.on('error', reject);
    destination.on('close', (code) => {
      clearTimeout(timer);
      sync.destinationExit = code;
      resolve(sync);
    });
  });
}

/** The destination's LOG messages, in order. */
export const logLines = (messages: Message[]): string[] =>
  messages.filter((m) => m.type === 'LOG').map((m) => String(m.log.message));

/** The JSON after `<prefix>` in the destination's one summary line that starts with it. */
export function summary(messages: Message[], prefix: string): Json {
  const lines = logLines(messages).filter((l) => l.startsWith(prefix));
  if (lines.length !== 1) throw new Error(`expected one destination log line starting "${prefix}", got ${lines.length}`);
  return JSON.parse(lines[0].slice(prefix.length));
}

/** A count the destination's summary states, e.g. `Skipped 0 records` → 0. */
export function summaryCount(messages: Message[], verb: string): number {
  const pattern = new RegExp(`^${verb} (\\d+) records$`);
  const counts = logLines(messages)
    .map((l) => pattern.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
  if (counts.length !== 1) throw new Error(`expected one destination log line "${verb} N records", got ${counts.length}`);
  return Number(counts[0][1]);
}
