import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');

export interface ConnectorRun {
  code: number | null;
  messages: Array<Record<string, any>>;
  seconds: number;
  /** Peak resident memory of the connector process, in MB (from /usr/bin/time when available). */
  peakRssMb?: number;
}

/** Runs bin/main as its own process, saving stdout to `outFile` and parsing it. */
export async function runConnector(args: string[], outFile: string): Promise<ConnectorRun> {
  const started = Date.now();
  const out = fs.createWriteStream(outFile);
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'main'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.pipe(out);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise((resolve) => out.end(resolve));
  const messages = fs
    .readFileSync(outFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
  return { code, messages, seconds: (Date.now() - started) / 1000 };
}

export const recordsOf = (run: Pick<ConnectorRun, 'messages'>, stream: string) =>
  run.messages.filter((m) => m.type === 'RECORD' && m.record.stream === stream).map((m) => m.record.data);

/** The last STATE of each stream, in the per-stream list form Airbyte's platform sends back. */
export const lastStates = (run: Pick<ConnectorRun, 'messages'>) => {
  const byStream = new Map<string, unknown>();
  for (const m of run.messages) {
    if (m.type === 'STATE') byStream.set(m.state.stream.stream_descriptor.name, { type: 'STREAM', stream: m.state.stream });
  }
  return [...byStream.values()];
};

/** Seconds from a stream's STARTED to its COMPLETE/INCOMPLETE status. */
export function streamSeconds(run: ConnectorRun, stream: string): number | undefined {
  const at = (status: string[]) =>
    run.messages.find(
      (m) =>
        m.type === 'TRACE' &&
        m.trace.type === 'STREAM_STATUS' &&
        m.trace.stream_status.stream_descriptor.name === stream &&
        status.includes(m.trace.stream_status.status)
    )?.trace.emitted_at;
  const start = at(['STARTED']);
  const end = at(['COMPLETE', 'INCOMPLETE']);
  return start && end ? (end - start) / 1000 : undefined;
}
