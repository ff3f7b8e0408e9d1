/**
 * `npm run query -- "SELECT ..." [--db shop.duckdb]`: runs SQL on the file `npm run sync` wrote and prints
 * the rows as a table, with the DuckDB package the project already has (no DuckDB shell to install).
 * Read-only: it never changes the file, and several can run while no sync does.
 */
import { Command } from 'commander';
import { table } from 'table';

import { openDuckDb } from './open-db';

const program = new Command('query')
  .description('Run SQL on the DuckDB file npm run sync wrote, read-only, and print the rows')
  .argument('<sql>', 'the query, quoted as one argument')
  .option('--db <file>', 'DuckDB file', 'shop.duckdb')
  .parse();

async function main(sql: string, file: string): Promise<void> {
  const instance = await openDuckDb(file, true);
  const db = await instance.connect();
  try {
    const result = await db.runAndReadAll(sql);
    const rows = result.getRowsJson().map((row) => row.map((v) => (v === null ? 'NULL' : typeof v === 'string' ? v : JSON.stringify(v))));
    process.stdout.write(table([result.columnNames(), ...rows]));
    process.stdout.write(`${rows.length} row${rows.length === 1 ? '' : 's'}\n`);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

main(program.args[0], program.opts<{ db: string }>().db).catch((error) => {
  // A query or file problem in one line: the user's SQL, not the tool, is what needs fixing.
  process.stderr.write(`query: ${(error as Error).message.split('\n')[0]}\n`);
  process.exitCode = 2;
});
