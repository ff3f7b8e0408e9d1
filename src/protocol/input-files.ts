import fs from 'node:fs';

import { ConfigError } from './errors';

/**
 * Reads a --config, --catalog or --state file. Errors say which file and what
 * is wrong, but never quote its content: a config file holds the secrets, and
 * V8's JSON errors quote the text around the fault.
 */
export function readJsonFile(file: string, what: 'config' | 'catalog' | 'state'): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(unreadable(file, what, (error as NodeJS.ErrnoException).code));
  }
  if (text.trim() === '') {
    throw new ConfigError(
      `The ${what} file ${file} is empty: ${what === 'state' ? 'leave out --state for a first sync, or give' : 'it must hold'} a JSON ${what}.`
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    if (what === 'state') return jsonLines(text, file);
    throw new ConfigError(`The ${what} file ${file} is not valid JSON: ${whereInvalid(text)}.`);
  }
}

function unreadable(file: string, what: string, code: string | undefined): string {
  if (code === 'ENOENT') return `The ${what} file ${file} does not exist.`;
  if (code === 'EACCES') {
    // The image runs as the unprivileged user 1000 (Dockerfile): a mounted file only root may read is the usual case.
    return (
      `The ${what} file ${file} cannot be read (EACCES, permission denied). In Docker the connector runs as uid 1000: ` +
      `make the file readable to it (chmod a+r ${file}, or chown 1000 on the host) or run the container with --user "$(id -u)".`
    );
  }
  return `The ${what} file ${file} cannot be read (${code}).`;
}

/**
 * Line and column of the first fault and what it is, never the text around it (a config holds secrets).
 * V8's own message either quotes the text or gives no position.
 */
function whereInvalid(text: string): string {
  // Loaded here: only a broken file needs it.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { parse, printParseErrorCode } = require('jsonc-parser') as typeof import('jsonc-parser');
  const errors: import('jsonc-parser').ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length === 0) return 'it is not one JSON value';
  const { offset, error } = errors[0];
  const before = text.slice(0, offset).split('\n');
  const problem = printParseErrorCode(error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return `line ${before.length}, column ${before[before.length - 1].length + 1}: ${problem}`;
}

/** A state file may hold the STATE lines a read printed, one JSON message per line: read as a list. */
function jsonLines(text: string, file: string): unknown[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.map((line, index) => {
    try {
      return JSON.parse(line);
    } catch {
      throw new ConfigError(`The state file ${file} is not valid JSON (${whereInvalid(text)}), nor one JSON message per line (line ${index + 1} is not JSON).`);
    }
  });
}
