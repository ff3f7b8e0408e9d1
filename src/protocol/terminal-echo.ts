import { Writable } from 'node:stream';

/**
 * A person running bin/main by hand with stdout redirected to a file (`> out.jsonl`) sees nothing: every
 * message goes to the file. When stdout is not a terminal but stderr is, the lines meant for people (logs
 * but debug, errors, the connection status) are also written to stderr as plain text. A platform or a
 * container runs the connector without a terminal on stderr, so it gets stdout alone, as before; stdout
 * itself never changes.
 */
export function terminalEcho(
  stdout: { isTTY?: boolean } = process.stdout,
  stderr: Writable & { isTTY?: boolean } = process.stderr
): ((message: any) => void) | undefined {
  if (stdout.isTTY || !stderr.isTTY) return undefined;
  return (message) => {
    const line = plainText(message);
    if (line !== undefined) stderr.write(line + '\n');
  };
}

function plainText(m: any): string | undefined {
  if (m?.type === 'LOG' && !['DEBUG', 'TRACE'].includes(m.log?.level)) return `${m.log.level} ${m.log.message}`;
  if (m?.type === 'TRACE' && m.trace?.type === 'ERROR') return `ERROR ${m.trace.error.message}`;
  if (m?.type === 'CONNECTION_STATUS') {
    const { status, message } = m.connectionStatus;
    return `${status}${message ? ` ${message}` : ''}`;
  }
  return undefined;
}
