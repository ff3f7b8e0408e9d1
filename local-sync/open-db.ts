import { DuckDBInstance } from '@duckdb/node-api';

/**
 * DuckDB's error when another process holds the file names a PID and a page about concurrency; what the
 * user has to do is close the client that holds it (a DuckDB shell, a notebook, `npm run query` still running).
 */
export function whyNotOpened(file: string, error: unknown): string {
  const reason = (error as Error).message.split('\n')[0];
  const lock = /Conflicting lock is held in (.+?) \(PID (\d+)\)/.exec(reason);
  if (lock) {
    return (
      `${file} is open in another program (${lock[1]}, PID ${lock[2]}), and DuckDB lets one process write a file at a time: ` +
      `close that program (quit the DuckDB shell, or the notebook or script using the file) and run again.`
    );
  }
  return `Cannot open ${file} as a DuckDB database: ${reason}`;
}

/** Opens a DuckDB file, read-only when asked; a refusal comes as an Error with whyNotOpened's message. */
export async function openDuckDb(file: string, readOnly = false): Promise<DuckDBInstance> {
  try {
    return await DuckDBInstance.create(file, readOnly ? { access_mode: 'READ_ONLY' } : {});
  } catch (error) {
    throw new Error(whyNotOpened(file, error));
  }
}
