/**
 * `npm run sync -- --config config.json [--db shop.duckdb] [--streams a,b] [--full-refresh]`:
 * the connector's own `read`, merged into a local DuckDB file. Not part of the
 * connector image (DuckDB is a devDependency; tsconfig.json builds src/ only).
 */
import { Command } from 'commander';

import { ensureBuilt } from './ensure-built';
import { SyncInputError } from './store';
import { sync } from './sync';

const program = new Command('sync')
  .description("Sync the shop into a local DuckDB file with the connector's own read, merged by primary key")
  .requiredOption('--config <file>', 'connector config (JSON, as for bin/main)')
  .option('--db <file>', 'DuckDB file to create or update', 'shop.duckdb')
  .option('--streams <names>', 'comma-separated streams (default: all)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .option('--full-refresh', 'read every stream in full and replace its table (ignores the stored state; the position read to is saved, so the next sync goes on from there)', false)
  .parse();

const opts = program.opts<{ config: string; db: string; streams?: string[]; fullRefresh: boolean }>();
ensureBuilt((line) => process.stderr.write(`${line}\n`));

sync({
  ...opts,
  err: (line) => process.stderr.write(`${line}\n`),
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
}).then(
  (code) => (process.exitCode = code),
  (error) => {
    // Input problems are explained in one line; anything else keeps its stack for a bug report.
    process.stderr.write(`sync: ${error instanceof SyncInputError ? error.message : (error as Error).stack}\n`);
    process.exitCode = 2;
  }
);
