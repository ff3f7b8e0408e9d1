/**
 * Runs the connector as a platform does: `bin/main <command>` in its own
 * process, one Airbyte message per stdout line. The caller handles each
 * message before the next line is read, so a slow commit slows the connector
 * down (back-pressure) instead of piling up records in memory.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export const ROOT = path.resolve(__dirname, '..');
export const MAIN = path.join(ROOT, 'bin', 'main');

export type Message = { type: string; [key: string]: any };

export interface ConnectorExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the connector wrote to stderr (it logs to stdout; stderr means something broke). */
  stderrTail: string[];
}

export async function runConnector(args: string[], onMessage: (m: Message) => Promise<void> | void): Promise<ConnectorExit> {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderrTail: string[] = [];
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve([code, signal]));
  });
  try {
    for await (const line of readline.createInterface({ input: child.stdout, crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      let message: Message;
      try {
        message = JSON.parse(line);
      } catch {
        continue; // not a protocol message; Airbyte platforms skip these too
      }
      await onMessage(message);
    }
  } catch (error) {
    child.kill('SIGTERM');
    await exited;
    throw error;
  }
  const [code, signal] = await exited;
  return { code, signal, stderrTail };
}

/** What a sync needs of the connector: its catalog, and a `read` whose messages it handles one by one. */
export interface Connector {
  discover(configFile: string): Promise<Message['catalog']>;
  read(args: string[], onMessage: (m: Message) => Promise<void> | void): Promise<ConnectorExit>;
}

export const connectorProcess: Connector = { discover: (configFile) => discover(configFile), read: runConnector };

/** `discover`: the streams with their schemas, keys and sync modes. */
export async function discover(configFile: string): Promise<Message['catalog']> {
  let catalog: Message['catalog'] | undefined;
  const errors: string[] = [];
  const exit = await runConnector(['discover', '--config', configFile], (m) => {
    if (m.type === 'CATALOG') catalog = m.catalog;
    if (m.type === 'TRACE' && m.trace.type === 'ERROR') errors.push(m.trace.error.message);
  });
  if (!catalog) {
    throw new Error(`The connector's discover failed (exit ${exit.code}): ${[...errors, ...exit.stderrTail].join(' | ') || 'no catalog'}`);
  }
  return catalog;
}
