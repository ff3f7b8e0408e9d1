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
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? `The ${what} file ${file} does not exist.` : `The ${what} file ${file} cannot be read (${code}).`
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    if (what === 'state') return jsonLines(text, file);
    throw new ConfigError(`The ${what} file ${file} is not valid JSON.`);
  }
}

/** A state file may hold the STATE lines a read printed, one JSON message per line: read as a list. */
function jsonLines(text: string, file: string): unknown[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.map((line, index) => {
    try {
      return JSON.parse(line);
    } catch {
      throw new ConfigError(`The state file ${file} is not valid JSON, nor one JSON message per line (line ${index + 1} is not JSON).`);
    }
  });
}
