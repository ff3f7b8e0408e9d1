/**
 * The throughput baseline: the least a reader of this API must do, in plain
 * JavaScript run by plain `node` (no loader, nothing to compile at start-up).
 * Fetches the same pages as the connector (same paths, page size and
 * credentials) over keep-alive sockets and prints one RECORD line per record,
 * as the connector prints them. No retries, no pacing, no state, no validation.
 *
 * A list is read page after page to its end. `in_flight` lists are read at
 * once: 1 is one request at a time over one socket; 8 is the connector's
 * default concurrency, the ceiling for it. The products list is read first;
 * a path with `{id}` is a per-product list, read once per product id
 * (the products list is read without printing if `products` is not a target).
 * A per-product record gets `product_id` when the API left it out, as the
 * connector derives it (src/streams/base.ts): the product's id as listed.
 *
 * Usage: node bench/baseline.mjs <base_url> <page_size> <in_flight> <stream=path>...
 */
import http from 'node:http';

const [baseUrl, pageSizeArg, inFlightArg, ...targets] = process.argv.slice(2);
const pageSize = Number(pageSizeArg);
const inFlight = Number(inFlightArg);
const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
const auth = `Basic ${Buffer.from('demo_key:demo_secret').toString('base64')}`;

function get(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: { authorization: auth } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      })
      .on('error', reject);
  });
}

function write(text) {
  return process.stdout.write(text) ? undefined : new Promise((r) => process.stdout.once('drain', r));
}

/**
 * Reads one list to its end; prints its records when `stream` is given, and passes each page to `seen`.
 * `productId`: the product whose child list this is.
 */
async function readList(path, stream, seen, productId) {
  for (let offset = 0; ; offset += pageSize) {
    const { data, total } = await get(`${baseUrl}${path}?offset=${offset}&limit=${pageSize}`);
    seen?.(data);
    if (stream) {
      let out = '';
      for (const record of data) {
        if (productId !== undefined && (record.product_id === undefined || record.product_id === null)) record.product_id = productId;
        out += `{"type":"RECORD","record":{"stream":"${stream}","emitted_at":${Date.now()},"data":${JSON.stringify(record)}}}\n`;
      }
      await write(out);
    }
    if (data.length < pageSize || (total !== undefined && offset + data.length >= total)) break;
  }
}

/** The lists to read, in order: the products list first, the other top-level lists, then each product's. */
async function* lists() {
  const parsed = targets.map((t) => t.split('='));
  const products = parsed.some(([stream]) => stream === 'products');
  const children = parsed.filter(([, path]) => path.includes('{id}'));
  const productIds = [];
  let productsRead = Promise.resolve();
  if (products || children.length) {
    let done;
    productsRead = new Promise((resolve) => (done = resolve));
    const keepIds = (data) => productIds.push(...data.map((r) => r.id));
    yield () => readList('/v1/products', products ? 'products' : undefined, keepIds).then(done);
  }
  for (const [stream, path] of parsed) if (stream !== 'products' && !path.includes('{id}')) yield () => readList(path, stream);
  await productsRead;
  for (const id of productIds) for (const [stream, path] of children) yield () => readList(path.replace('{id}', String(id)), stream, undefined, id);
}

async function main() {
  const queue = lists();
  const worker = async () => {
    for (;;) {
      const { value: job, done } = await queue.next();
      if (done) return;
      await job();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  agent.destroy();
}

main();
