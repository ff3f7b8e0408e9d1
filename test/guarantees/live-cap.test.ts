/**
 * Issue 10's case, end to end against the sandbox in the vendor dialect (bare arrays, no total): a
 * page_size above the server's silent cap (150 asked, 100 served) loses nothing, and the log says
 * once that the size is above what the vendor serves.
 */
import { records } from '../helpers/connector';
import { ALL, Resources, logs, read, testConfig } from '../helpers/guarantees';
import { compareToTruth, describeDiff, truthOf } from '../../scripts/truth-check';

jest.setTimeout(90_000);

const res = new Resources();
afterEach(() => res.closeAll());

it.each([
  [150, 100],
  [250, 100],
  [100, 50],
])('vendor dialect, page_size %i against a silent cap of %i: every record of every stream, once', async (pageSize, cap) => {
  const sandbox = await res.sandbox({ vendor: true, scale: 2 });
  sandbox.updateSettings({ pageCap: cap });
  const run = await read(testConfig(sandbox.url, { page_size: pageSize, page_size_parameter: 'count' }));
  expect(run.code).toBe(0);
  const truth = truthOf(sandbox);
  expect(truth.streams.orders.length).toBeGreaterThan(pageSize);
  expect(ALL.flatMap((s) => describeDiff(s, compareToTruth(s, records(run, s), truth)))).toEqual([]);
  if (pageSize > 100) expect(logs(run).filter((l) => /is more than the 100 records per page/.test(l))).toHaveLength(1);
});
