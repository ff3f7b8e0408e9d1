/**
 * The throughput baseline: the least a reader of this API must do. Fetches the
 * same pages as the connector (same paths, page size, credentials), one after
 * another over a keep-alive agent, and prints one RECORD line per record.
 * No retries, no pacing, no state, no validation.
 * A path with `{id}` is a per-product list: it is read once per product id of
 * the products list (read first, without printing, unless already listed).
 * Usage: baseline <base_url> <page_size> <stream=path>...
 */
import http from 'node:http';

const [baseUrl, pageSizeArg, ...targets] = process.argv.slice(2);
const pageSize = Number(pageSizeArg);
const agent = new http.Agent({ keepAlive: true });
const auth = `Basic ${Buffer.from('demo_key:demo_secret').toString('base64')}`;

function get(url: string): Promise<{ data: Array<Record<string, unknown>>; total?: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: { authorization: auth } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      })
      .on('error', reject);
  });
}

function write(text: string): Promise<void> {
  return process.stdout.write(text) ? Promise.resolve() : new Promise((r) => process.stdout.once('drain', () => r()));
}

/** Reads one list to its end; prints its records when `stream` is given, and passes each page to `seen`. */
async function readList(path: string, stream?: string, seen?: (data: Array<Record<string, unknown>>) => void) {
  for (let offset = 0; ; offset += pageSize) {
    const { data, total } = await get(`${baseUrl}${path}?offset=${offset}&limit=${pageSize}`);
    seen?.(data);
    if (stream) {
      let out = '';
      for (const record of data) {
        out += `{"type":"RECORD","record":{"stream":"${stream}","emitted_at":${Date.now()},"data":${JSON.stringify(record)}}}\n`;
      }
      await write(out);
    }
    if (data.length < pageSize || (total !== undefined && offset + data.length >= total)) break;
  }
}

async function main() {
  let productIds: unknown[] | undefined;
  const keepIds = (data: Array<Record<string, unknown>>) => productIds!.push(...data.map((r) => r.id));
  for (const target of targets) {
    const [stream, path] = target.split('=');
    if (path.includes('{id}')) {
      if (!productIds) {
        productIds = [];
        await readList('/v1/products', undefined, keepIds);
      }
      for (const id of productIds) await readList(path.replace('{id}', String(id)), stream);
    } else if (stream === 'products' && !productIds) {
      productIds = [];
      await readList(path, stream, keepIds);
    } else {
      await readList(path, stream);
    }
  }
  agent.destroy();
}

main();
