import { closest, distance } from 'fastest-levenshtein';

const bare = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');

/**
 * The name in `known` that `given` most likely misspells, compared without case and separators so that
 * `startDate` and `pagesize` land on `start_date` and `page_size`; undefined when none is close.
 */
export function likelyMeant(given: string, known: ReadonlyArray<string>): string | undefined {
  if (known.length === 0) return undefined;
  const wanted = bare(given);
  const byBare = new Map(known.map((name) => [bare(name), name]));
  const nearest = closest(wanted, [...byBare.keys()]);
  // Within a third of the name's length (at least 2 edits) the nearest is a likely misspelling.
  return distance(wanted, nearest) <= Math.max(2, Math.ceil(wanted.length / 3)) ? byBare.get(nearest) : undefined;
}

/** The known names `given` begins (`rate_limit` for both rate-limit fields), compared as likelyMeant does. */
export function extensionsOf(given: string, known: ReadonlyArray<string>): string[] {
  const wanted = bare(given);
  return wanted.length >= 3 ? known.filter((name) => bare(name).startsWith(wanted)) : [];
}

/** The nearest known name whatever the distance. */
export function nearestOf(given: string, known: ReadonlyArray<string>): string {
  const byBare = new Map(known.map((name) => [bare(name), name]));
  return byBare.get(closest(bare(given), [...byBare.keys()]))!;
}
