/** Example questions a synced file answers, for `npm run demo` and the README. */
import { DuckDBInstance } from '@duckdb/node-api';

export interface ExampleQuery {
  title: string;
  sql: string;
}

export const EXAMPLE_QUERIES: readonly ExampleQuery[] = [
  {
    // A ShopWired order carries no currency: a shop sells in its one business currency, so one sum is right.
    title: "Revenue per day in the shop's currency, cancelled and refunded orders left out (last 5 days with orders)",
    sql: `SELECT CAST(timezone('UTC', created_at_utc) AS DATE) AS day, count(*) AS orders, round(sum(total), 2) AS revenue
FROM orders
WHERE status->>'$.type' IS DISTINCT FROM 'cancelled' AND coalesce(json_array_length(refunds), 0) = 0
GROUP BY day ORDER BY day DESC LIMIT 5`,
  },
  {
    title: 'Top-rated products (at least 3 reviews)',
    sql: `SELECT p.id, p.title, count(*) AS reviews, round(avg(r.rating), 2) AS avg_rating
FROM products_reviews r JOIN products p ON p.id = r.product_id
GROUP BY p.id, p.title HAVING count(*) >= 3 ORDER BY avg_rating DESC, reviews DESC, p.id LIMIT 5`,
  },
  {
    title: 'What each table holds and when it was last synced',
    sql: `SELECT 'orders' AS "table", count(*) AS rows, max(_synced_at) AS last_synced FROM orders
UNION ALL SELECT 'products', count(*), max(_synced_at) FROM products
UNION ALL SELECT 'products_reviews', count(*), max(_synced_at) FROM products_reviews`,
  },
];

/** Runs each query (read-only) and returns its rows as text, header first. */
export async function runExampleQueries(file: string): Promise<Array<ExampleQuery & { rows: string[][] }>> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const db = await instance.connect();
  try {
    const out = [];
    for (const q of EXAMPLE_QUERIES) {
      const result = await db.runAndReadAll(q.sql);
      const rows = result.getRowsJson().map((row) => row.map((v) => (v === null ? 'NULL' : String(v))));
      out.push({ ...q, rows: [result.columnNames(), ...rows] });
    }
    return out;
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}
