/**
 * The shared table of the 14 streams (scripts/streams.ts), which the tests,
 * the demo and the benchmark read, must say what the connector declares
 * (discover, from the real bin/main) and what the sandbox serves (its own,
 * deliberately separate, list of paths), and the README's table must say
 * the same: the four copies are checked against one another here.
 */
import fs from 'node:fs';
import path from 'node:path';

import { AirbyteLogger } from 'faros-airbyte-cdk';

import { parseConfig } from '../src/config/config';
import { EcommerceSource } from '../src/source';
import { PATH_OF, STREAMS as SANDBOX_STREAMS, isChild } from '../sandbox/resources';
import { STREAM_TABLE } from '../scripts/streams';
import { runWithFiles } from './helpers/guarantees';

jest.setTimeout(60_000);

it('names, primary keys and cursors equal what bin/main discover declares, in the same order', async () => {
  const run = await runWithFiles('discover', { config: { api_key: 'k1234', api_secret: 's1234', base_url: 'http://127.0.0.1:9' } });
  expect(run.code).toBe(0);
  const catalog = run.messages.find((m) => m.type === 'CATALOG')?.catalog;
  const declared = catalog.streams.map((s: any) => ({
    name: s.name,
    pk: s.source_defined_primary_key[0][0],
    cursor: s.default_cursor_field?.[0],
  }));
  expect(declared).toEqual(STREAM_TABLE.map((s) => ({ name: s.name, pk: s.pk, cursor: s.cursor })));
});

it('paths and parents equal the sandbox’s own list of resources', () => {
  expect(STREAM_TABLE.map((s) => s.name)).toEqual(SANDBOX_STREAMS);
  for (const s of STREAM_TABLE) {
    const child = isChild(s.name as never);
    expect({ name: s.name, path: s.path, parent: s.parent }).toEqual({
      name: s.name,
      path: child ? `/v1/products/{id}/${PATH_OF[s.name as never]}` : `/v1/${PATH_OF[s.name as never]}`,
      parent: child ? 'products' : undefined,
    });
  }
});

it("paths, paging and partitions equal the declarations in src/streams", () => {
  const config = parseConfig({ api_key: 'k1234', api_secret: 's1234', base_url: 'http://127.0.0.1:9' }, {});
  const declared = new EcommerceSource(new AirbyteLogger()).streams(config).map((s) => ({
    name: s.name,
    path: s.definition.path.replace('{prd_id}', '{id}'),
    parent: s.partitions.unit === 'product' ? 'products' : undefined,
    unpaginated: s.definition.paginated === false || undefined,
  }));
  expect(declared).toEqual(STREAM_TABLE.map((s) => ({ name: s.name, path: s.path, parent: s.parent, unpaginated: s.unpaginated })));
});

it("the README's table of streams lists the same streams, endpoints, keys and cursors, in the same order", () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| stream | endpoint |'));
  const rows = table
    .split('\n')
    .slice(2)
    .filter((line, i, lines) => line.startsWith('|') && lines.slice(0, i).every((l) => l.startsWith('|')))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
  expect(
    rows.map(([name, endpoint, pk, modes]) => ({
      name,
      path: endpoint.replace(/ \(.*\)$/, ''),
      pk: pk.split(' ')[0],
      cursor: /incremental \(`([a-z_]+)`\)/.exec(modes)?.[1],
    }))
  ).toEqual(STREAM_TABLE.map((s) => ({ name: s.name, path: s.path, pk: s.pk, cursor: s.cursor })));
});
