import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const MAIN = path.join(ROOT, 'bin', 'main');

export interface Message {
  type: string;
  [key: string]: any;
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  messages: Message[];
}

/** A temp dir for one test's files; removed by cleanup(). */
export function workDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecommerce-source-'));
  return {
    dir,
    write(name: string, content: unknown): string {
      const file = path.join(dir, name);
      fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
      return file;
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Spawns bin/main as a container would run it, and parses every stdout line as a message. */
export function runConnector(
  args: string[],
  opts: { timeoutMs?: number; onMessage?: (m: Message, child: ChildProcess) => void; env?: Record<string, string> } = {}
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const messages: Message[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.trim()) continue;
        const message = JSON.parse(line) as Message; // a line that is not JSON fails the test here
        messages.push(message);
        opts.onMessage?.(message, child);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, messages });
    });
  });
}

export const records = (run: Run | Message[], stream?: string) =>
  (Array.isArray(run) ? run : run.messages)
    .filter((m) => m.type === 'RECORD' && (!stream || m.record.stream === stream))
    .map((m) => m.record.data);

export const ofType = (run: Run, type: string) => run.messages.filter((m) => m.type === type);

export const traces = (run: Run, kind: string) =>
  run.messages.filter((m) => m.type === 'TRACE' && m.trace.type === kind).map((m) => m.trace);

/** The stream states of the last STATE message of each stream, in Airbyte's per-stream list form. */
export function lastStates(run: Run): Message[] {
  const byStream = new Map<string, Message>();
  for (const m of ofType(run, 'STATE')) byStream.set(m.state.stream.stream_descriptor.name, m.state);
  return [...byStream.values()].map((s) => ({ type: 'STREAM', stream: s.stream }));
}

/** A configured catalog for the given streams and sync mode, cursor fields from discover. */
export function catalogFor(streams: Array<{ name: string; cursor?: string; pk: string }>, mode: 'full_refresh' | 'incremental') {
  return {
    streams: streams.map((s) => ({
      stream: {
        name: s.name,
        json_schema: {},
        supported_sync_modes: s.cursor ? ['full_refresh', 'incremental'] : ['full_refresh'],
        source_defined_primary_key: [[s.pk]],
        ...(s.cursor && { source_defined_cursor: true, default_cursor_field: [s.cursor] }),
      },
      sync_mode: mode === 'incremental' && s.cursor ? 'incremental' : 'full_refresh',
      ...(mode === 'incremental' && s.cursor && { cursor_field: [s.cursor] }),
      destination_sync_mode: 'append_dedup',
      primary_key: [[s.pk]],
    })),
  };
}

/** The final state of a per-product stream read in full refresh: only the completion mark of its run (src/read/run-chain.ts). */
export const completionMarkOnly = () => ({
  completed: {
    run: { started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), streams: expect.any(Array) },
    written_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    config_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
  },
});
