// A seeded generator instead of Math.random: the sandbox is the reference the
// connector is judged against, so the same seed must always give the same shop.

/** mulberry32: tiny and fast, with ample quality for fake shop data. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  private readonly draw: () => number;

  constructor(seed: number) {
    this.draw = mulberry32(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** An integer in [min, max], both ends included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.draw() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.draw() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.draw() * list.length)];
  }

  /** Up to n distinct items, in list order (so output is stable and readable). */
  sample<T>(list: readonly T[], n: number): T[] {
    const chosen = new Set<number>();
    const want = Math.min(n, list.length);
    while (chosen.size < want) chosen.add(Math.floor(this.draw() * list.length));
    return [...chosen].sort((x, y) => x - y).map((i) => list[i]);
  }

  /** A price-like amount rounded to pennies. */
  money(min: number, max: number): number {
    return round2(min + this.draw() * (max - min));
  }

  /** Null with probability p, otherwise the value: many API fields are optional. */
  maybe<T>(p: number, value: () => T): T | null {
    return this.draw() < p ? null : value();
  }
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
