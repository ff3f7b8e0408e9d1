/**
 * ListFilter (src/read/partitions.ts): a list read once per side of a two-sided
 * filter (`trade=1` then `trade=0`). The acceptance tests (list-filters.test.ts)
 * drive a sandbox whose server honours both values, hides one side or ignores
 * the parameter; the cases here are the ones it does not serve: a server that
 * honours one value and not the other, and a record whose flag changed between
 * the two answers. Each must leave the read with every record once.
 */
import { AirbyteLogger } from 'faros-airbyte-cdk';

import { ListFilter } from '../../src/read/partitions';
import { Page, Rec } from '../../src/read/pagination';
import { TRADE } from '../../src/read/vendor';

type Answers = Record<number, Rec[][]>;

/** Reads every page ListFilter yields from `answers` (each side's pages); returns the records, the sides asked and the log. */
async function readAll(answers: Answers) {
  const logged: string[] = [];
  const logger = { info: (m: string) => logged.push(m) } as unknown as AirbyteLogger;
  const asked: number[] = [];
  const list = async function* (params: Record<string, string | number>): AsyncGenerator<Page> {
    const value = Number(params.trade);
    asked.push(value);
    for (const records of answers[value]) yield { records };
  };
  const keyOf = (r: Rec) => r.id;
  const pages: Page[] = [];
  for await (const page of new ListFilter(TRADE, 'customers', logger).pagesOf(list, keyOf)) pages.push(page);
  return { ids: pages.flatMap((p) => p.records.map((r) => r.id)), asked, logged };
}

const trade = (id: number) => ({ id, trade: true });
const regular = (id: number) => ({ id, trade: false });

describe('ListFilter', () => {
  it('a server honouring trade=1 and ignoring trade=0: the second answer repeats the trade customers, each emitted once', async () => {
    const everyone = [[regular(1), trade(2), regular(3)], [trade(4), regular(5)]];
    const { ids, asked, logged } = await readAll({ 1: [[trade(2), trade(4)]], 0: everyone });
    expect(asked).toEqual([1, 0]);
    expect(ids).toEqual([2, 4, 1, 3, 5]);
    expect(logged.some((l) => l.includes('ignores trade=0'))).toBe(true);
  });

  it('a customer that became a regular one between the two answers is in both, emitted once (from the first answer)', async () => {
    const { ids } = await readAll({ 1: [[trade(2), trade(7)]], 0: [[regular(1), regular(7)], [regular(9)]] });
    expect(ids).toEqual([2, 7, 1, 9]);
  });

  it('both values honoured: every record of both answers, in the order they came', async () => {
    const { ids, logged } = await readAll({ 1: [[trade(2)]], 0: [[regular(1), regular(3)], [regular(5)]] });
    expect(ids).toEqual([2, 1, 3, 5]);
    expect(logged).toEqual([]);
  });

  it('trade=1 ignored (its answer holds regular customers): that answer is the whole list and trade=0 is not asked', async () => {
    const { ids, asked, logged } = await readAll({ 1: [[regular(1), trade(2)], [regular(3)]], 0: [[regular(1), regular(3)]] });
    expect(asked).toEqual([1]);
    expect(ids).toEqual([1, 2, 3]);
    expect(logged.some((l) => l.includes('ignores trade=1'))).toBe(true);
  });
});
