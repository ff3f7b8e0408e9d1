// The products' listed_ids state (issue 32): its size for 100,000 products. Run: npx tsx bench/listed-ids.ts
import { encodeIds, decodeIds } from '../src/read/deletions';
let seed = 7; const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
const cases: Array<[string, number[]]> = [];
cases.push(['100,000 consecutive ids 1..100000', Array.from({ length: 100000 }, (_, i) => i + 1)]);
{ const ids: number[] = []; let id = 1000; while (ids.length < 100000) { id += 1; if (rnd() < 0.1) continue; ids.push(id); } cases.push(['100,000 ids, 10% of ids deleted (random gaps)', ids]); }
{ const ids: number[] = []; let id = 0; while (ids.length < 100000) { id += 1 + Math.floor(rnd() * 20); ids.push(id); } cases.push(['100,000 ids, random gaps 1-20', ids]); }
{ const s = new Set<number>(); while (s.size < 100000) s.add(1 + Math.floor(rnd() * 2 ** 31)); cases.push(['100,000 random 31-bit ids (worst case)', [...s]]); }
for (const [what, ids] of cases) {
  const text = encodeIds(ids)!;
  const back = decodeIds(text)!;
  const sorted = [...ids].sort((a, b) => a - b);
  const ok = back.length === ids.length && back.every((v, i) => v === sorted[i]);
  console.log(`${what}: ${text.length} bytes of state (round trip ${ok ? 'ok' : 'FAILED'}); plain JSON array ${JSON.stringify(ids).length} bytes`);
}
