/**
 * The DuckDB file: our marker and state tables, one table per stream, and the
 * two ways rows get in. Every write is one transaction together with the
 * state it is covered by, so a file never holds a state ahead of its rows.
 */
import fs from 'node:fs';
import path from 'node:path';

import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

import { Column, SYNCED_AT, SYSTEM_COLUMNS, quoteIdent } from './columns';
import { whyNotOpened } from './open-db';

export const META_TABLE = '_sync_meta';
export const STATE_TABLE = '_sync_state';
const TOOL = 'ecommerce-source local sync';
/** Staging-only columns: the record's place in the read, and whether it is a deletion record. */
const SEQ = '_stage_seq';
const DELETED = '_stage_deleted';

export class SyncInputError extends Error {}

export interface TableSpec {
  stream: string;
  columns: Column[];
  primaryKey: string[];
  /** The cursor column: of two versions of a key, the greater cursor wins (Airbyte's dedup rule). */
  cursor?: string;
  /** Child tables whose rows go with a deleted row: `column` holds this table's key. */
  cascade?: Array<{ stream: string; column: string }>;
}

/** One record as staged: its row (columnsOf + `_extra`), and whether it is a deletion record. */
export interface StagedRecord {
  row: Array<string | null>;
  deleted: boolean;
}

export interface MergeCounts {
  inserted: number;
  updated: number;
  deleted: number;
}

export class Store {
  private constructor(
    readonly file: string,
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection
  ) {}

  /** Opens (or creates) the file; refuses one another tool wrote, before changing anything. */
  static async open(file: string): Promise<Store> {
    const dir = path.dirname(path.resolve(file));
    if (!fs.existsSync(dir)) throw new SyncInputError(`Cannot create ${file}: the folder ${dir} does not exist.`);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(file);
    } catch (error) {
      throw new SyncInputError(whyNotOpened(file, error));
    }
    const store = new Store(file, instance, await instance.connect());
    try {
      await store.claim();
    } catch (error) {
      store.close();
      throw error;
    }
    return store;
  }

  private async claim(): Promise<void> {
    const tables = await this.tableNames();
    if (tables.includes(META_TABLE)) {
      const tool = await this.rows(`SELECT value FROM ${META_TABLE} WHERE key = 'tool'`);
      if (tool[0]?.value !== TOOL) throw new SyncInputError(`${this.file} has a ${META_TABLE} table that this tool did not write; use another --db file.`);
      return;
    }
    if (tables.length > 0) {
      throw new SyncInputError(
        `${this.file} already holds tables this tool did not create (${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', ...' : ''}); ` +
          `nothing was changed. Use a new --db file.`
      );
    }
    try {
      await this.transaction(async () => {
        await this.db.run(`CREATE TABLE ${META_TABLE} (key VARCHAR, value VARCHAR)`);
        await this.db.run(`INSERT INTO ${META_TABLE} VALUES ('tool', $1)`, [TOOL]);
        await this.db.run(`CREATE TABLE ${STATE_TABLE} (stream VARCHAR, state JSON, ${SYNCED_AT} TIMESTAMPTZ)`);
      });
    } catch (error) {
      throw new SyncInputError(`Cannot write to ${this.file}: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  /** Creates missing tables and adds columns the schema gained; refuses a table whose columns conflict. */
  async prepare(specs: TableSpec[]): Promise<string[]> {
    const notes: string[] = [];
    const plan: string[] = [];
    for (const spec of specs) {
      const existing = new Map(
        (await this.rows(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $1`, [spec.stream])).map(
          (r) => [String(r.column_name), String(r.data_type)]
        )
      );
      const wanted = [...spec.columns, ...SYSTEM_COLUMNS];
      if (existing.size === 0) {
        plan.push(`CREATE TABLE ${quoteIdent(spec.stream)} (${wanted.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
        continue;
      }
      for (const column of wanted) {
        const type = existing.get(column.name);
        if (type === undefined) {
          if (SYSTEM_COLUMNS.includes(column)) {
            throw new SyncInputError(`Table ${spec.stream} in ${this.file} has no ${column.name} column: it was not written by this tool. Nothing was changed.`);
          }
          plan.push(`ALTER TABLE ${quoteIdent(spec.stream)} ADD COLUMN ${quoteIdent(column.name)} ${column.type}`);
          notes.push(`${spec.stream}: new column ${column.name} ${column.type} (older rows have NULL)`);
        } else if (type === 'JSON' && column.type === 'VARCHAR') {
          // A file written when mixed unions were JSON: its text values become plain text, the rest their JSON text.
          const c = quoteIdent(column.name);
          plan.push(
            `ALTER TABLE ${quoteIdent(spec.stream)} ALTER ${c} TYPE VARCHAR USING (CASE WHEN json_type(${c}) = 'VARCHAR' THEN ${c}->>'$' ELSE CAST(${c} AS VARCHAR) END)`
          );
          notes.push(`${spec.stream}: column ${column.name} JSON → VARCHAR (text values as text, objects as their JSON text)`);
        } else if (!sameType(type, column.type)) {
          throw new SyncInputError(
            `Table ${spec.stream} in ${this.file}: column ${column.name} is ${type} but the stream's schema now says ${column.type}. ` +
              `Nothing was changed; rename or drop that table (or use --full-refresh into a new --db file).`
          );
        }
      }
    }
    if (plan.length) await this.transaction(async () => { for (const sql of plan) await this.db.run(sql); });
    return notes;
  }

  /** The last committed state of each stream, in the per-stream list form the connector reads. */
  async states(): Promise<unknown[]> {
    return (await this.rows(`SELECT state FROM ${STATE_TABLE} ORDER BY stream`)).map((r) => JSON.parse(String(r.state)));
  }

  /**
   * One commit: the streams' records merged by primary key as an Airbyte
   * destination in append + dedup does (per key the greatest cursor wins, ties
   * to the later record; a winner with `_ab_cdc_deleted_at` removes the row),
   * or a whole table replaced, and the states they are covered by, in one
   * transaction. Records arrive in extraction order.
   */
  async commit(
    writes: Array<{ spec: TableSpec; records: StagedRecord[]; replace: boolean }>,
    states: Array<{ stream: string; state: unknown }>
  ): Promise<Map<string, MergeCounts>> {
    const counts = new Map<string, MergeCounts>();
    const add = (stream: string, c: MergeCounts) => {
      const sum = counts.get(stream) ?? { inserted: 0, updated: 0, deleted: 0 };
      counts.set(stream, { inserted: sum.inserted + c.inserted, updated: sum.updated + c.updated, deleted: sum.deleted + c.deleted });
    };
    // Appenders write outside explicit transactions: stage the rows first, in session-only temp tables.
    for (const [i, w] of writes.entries()) await this.stage(`_stage_${i}`, w.spec, w.records);
    await this.transaction(async () => {
      for (const [i, w] of writes.entries()) {
        const { own, cascaded } = await this.mergeStaged(`_stage_${i}`, w.spec, w.replace);
        add(w.spec.stream, own);
        for (const [stream, deleted] of cascaded) add(stream, { inserted: 0, updated: 0, deleted });
      }
      for (const { stream, state } of states) {
        await this.db.run(`DELETE FROM ${STATE_TABLE} WHERE stream = $1`, [stream]);
        await this.db.run(`INSERT INTO ${STATE_TABLE} VALUES ($1, $2, now())`, [stream, JSON.stringify(state)]);
      }
    });
    for (const i of writes.keys()) await this.db.run(`DROP TABLE IF EXISTS temp._stage_${i}`);
    return counts;
  }

  async rowCount(stream: string): Promise<number> {
    return Number((await this.rows(`SELECT count(*) AS n FROM ${quoteIdent(stream)}`))[0].n);
  }

  close(): void {
    this.db.closeSync();
    this.instance.closeSync();
  }

  private async stage(name: string, spec: TableSpec, records: StagedRecord[]): Promise<void> {
    const raw = [...spec.columns.map((c) => c.name), SYSTEM_COLUMNS[0].name];
    const columns = [...raw.map((c) => `${quoteIdent(c)} VARCHAR`), `${SEQ} BIGINT`, `${DELETED} BOOLEAN`];
    await this.db.run(`CREATE OR REPLACE TEMP TABLE ${name} (${columns.join(', ')})`);
    const appender = await this.db.createAppender(name, 'main', 'temp');
    for (const [seq, { row, deleted }] of records.entries()) {
      for (const value of row) value === null ? appender.appendNull() : appender.appendVarchar(value);
      appender.appendBigInt(BigInt(seq));
      appender.appendBoolean(deleted);
      appender.endRow();
    }
    appender.closeSync();
  }

  private async mergeStaged(
    stage: string,
    spec: TableSpec,
    replace: boolean
  ): Promise<{ own: MergeCounts; cascaded: Array<[string, number]> }> {
    const table = quoteIdent(spec.stream);
    const typed = `${stage}_typed`;
    const columns = [...spec.columns, SYSTEM_COLUMNS[0]];
    const casts = columns.map((c) => `CAST(${quoteIdent(c.name)} AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ');
    const cursor = spec.cursor && quoteIdent(spec.cursor);
    // Airbyte's dedup: per key the greatest cursor (NULL lowest), ties to the later extraction.
    const latest = `row_number() OVER (PARTITION BY ${spec.primaryKey.map(quoteIdent).join(', ')} ORDER BY ${cursor ? `${cursor} DESC NULLS LAST, ` : ''}${SEQ} DESC) = 1`;
    await this.db.run(`CREATE OR REPLACE TEMP TABLE ${typed} AS SELECT * EXCLUDE (${SEQ}) FROM (SELECT ${casts}, ${SEQ}, ${DELETED} FROM ${stage}) QUALIFY ${latest}`);
    const same = spec.primaryKey.map((k) => `t.${quoteIdent(k)} IS NOT DISTINCT FROM s.${quoteIdent(k)}`).join(' AND ');
    if (!replace && cursor) {
      // A row already stored with a greater cursor is the later version: the staged one loses, deletion or not.
      await this.db.run(
        `DELETE FROM ${typed} s WHERE EXISTS (SELECT 1 FROM ${table} t WHERE ${same} AND (t.${cursor} > s.${cursor} OR (s.${cursor} IS NULL AND t.${cursor} IS NOT NULL)))`
      );
    }
    const count = async (sql: string) => Number((await this.rows(`SELECT count(*) AS n FROM ${sql}`))[0].n);
    const matchedBy = (deleted: boolean) => `EXISTS (SELECT 1 FROM ${typed} s WHERE ${same} AND ${deleted ? '' : 'NOT '}s.${DELETED})`;
    const live = await count(`${typed} WHERE NOT ${DELETED}`);
    const updated = await count(`${table} t WHERE ${matchedBy(false)}`);
    const before = await count(table);
    const removed = replace ? before - updated : await count(`${table} t WHERE ${matchedBy(true)}`);
    await this.db.run(replace ? `DELETE FROM ${table}` : `DELETE FROM ${table} t WHERE EXISTS (SELECT 1 FROM ${typed} s WHERE ${same})`);
    const names = columns.map((c) => quoteIdent(c.name)).join(', ');
    await this.db.run(`INSERT INTO ${table} (${names}, ${quoteIdent(SYNCED_AT)}) SELECT ${names}, now() FROM ${typed} WHERE NOT ${DELETED}`);
    const cascaded: Array<[string, number]> = [];
    const children = spec.cascade?.length ? await this.tableNames() : [];
    for (const child of spec.cascade ?? []) {
      if (!children.includes(child.stream)) continue; // a stream never synced into this file
      const gone = `${quoteIdent(child.stream)} WHERE ${quoteIdent(child.column)} IN (SELECT ${quoteIdent(spec.primaryKey[0])} FROM ${typed} WHERE ${DELETED})`;
      const n = await count(gone);
      if (n) await this.db.run(`DELETE FROM ${gone}`);
      cascaded.push([child.stream, n]);
    }
    await this.db.run(`DROP TABLE temp.${typed}`);
    return { own: { inserted: live - updated, updated, deleted: removed }, cascaded };
  }

  private async tableNames(): Promise<string[]> {
    return (await this.rows(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'`)).map((r) => String(r.table_name));
  }

  private async transaction(body: () => Promise<void>): Promise<void> {
    await this.db.run('BEGIN TRANSACTION');
    try {
      await body();
      await this.db.run('COMMIT');
    } catch (error) {
      await this.db.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async rows(sql: string, values?: string[]): Promise<Array<Record<string, unknown>>> {
    return (await this.db.runAndReadAll(sql, values)).getRowObjectsJS() as Array<Record<string, unknown>>;
  }
}

/** DuckDB reports JSON columns as JSON and TIMESTAMPTZ as "TIMESTAMP WITH TIME ZONE". */
function sameType(actual: string, wanted: string): boolean {
  const aliases: Record<string, string> = { 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMPTZ' };
  return (aliases[actual] ?? actual) === wanted;
}
