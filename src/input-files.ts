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
    throw new ConfigError(`The ${what} file ${file} is not valid JSON.`);
  }
}
