/**
 * How a stream's JSON schema becomes a table: one column per top-level
 * property, with the SQL type its JSON type allows, and how one record becomes
 * one row of text values (DuckDB casts them to the column types on insert, so
 * a value that does not fit fails the commit loudly instead of being dropped).
 */

export type SqlType = 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR' | 'TIMESTAMPTZ' | 'JSON';

export interface Column {
  /** The column; DuckDB names are case-insensitive, so a field differing only in case from an earlier one gets a suffix. */
  name: string;
  /** The record field it holds. */
  field: string;
  type: SqlType;
}

/** When the row was written (set at commit). */
export const SYNCED_AT = '_synced_at';
/** Top-level fields the schema does not declare, so that nothing a record carried is lost. */
export const EXTRA = '_extra';
export const SYSTEM_COLUMNS: readonly Column[] = [
  { name: EXTRA, field: EXTRA, type: 'JSON' },
  { name: SYNCED_AT, field: SYNCED_AT, type: 'TIMESTAMPTZ' },
];

interface PropertySchema {
  type?: string | string[];
  format?: string;
}

/**
 * The SQL type of one property: nullable unions are their non-null type. A mixed union with text in
 * it (orders' `status`: text in one form of the API, an object in the other) is VARCHAR, so that
 * `status = 'shipped'` compares text; its objects and arrays are kept as their JSON text, which
 * DuckDB's JSON functions and `->>` read. Other mixed unions are JSON.
 */
export function sqlTypeOf(property: PropertySchema): SqlType {
  const types = (Array.isArray(property.type) ? property.type : property.type ? [property.type] : []).filter((t) => t !== 'null');
  if (types.length === 0) return 'JSON';
  if (types.every((t) => t === 'integer')) return 'BIGINT';
  if (types.every((t) => t === 'integer' || t === 'number')) return 'DOUBLE';
  if (types.length > 1) return types.includes('string') ? 'VARCHAR' : 'JSON';
  switch (types[0]) {
    case 'boolean':
      return 'BOOLEAN';
    case 'string':
      return property.format === 'date-time' ? 'TIMESTAMPTZ' : 'VARCHAR';
    default:
      return 'JSON'; // object, array
  }
}

/** Fields differing only in case (say `subtotal` and `subTotal`, should a schema hold both) become `subtotal` and `subTotal_2`. */
export function columnsOf(schema: { properties?: Record<string, PropertySchema> }): Column[] {
  const taken = new Set(SYSTEM_COLUMNS.map((c) => c.name.toLowerCase()));
  return Object.entries(schema.properties ?? {}).map(([field, property]) => {
    let name = field;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${field}_${n}`;
    taken.add(name.toLowerCase());
    return { name, field, type: sqlTypeOf(property) };
  });
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** One record as text per data column (null for SQL NULL), then `_extra`; `_synced_at` is set by the commit. */
export function rowOf(record: Record<string, unknown>, columns: readonly Column[]): Array<string | null> {
  const row = columns.map(({ field, type }) => textOf(record[field], type));
  const declared = new Set(columns.map((c) => c.field));
  const extra = Object.fromEntries(Object.entries(record).filter(([k]) => !declared.has(k)));
  row.push(Object.keys(extra).length ? JSON.stringify(extra) : null);
  return row;
}

function textOf(value: unknown, type: SqlType): string | null {
  if (value === undefined || value === null) return null;
  if (type === 'JSON' || typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
