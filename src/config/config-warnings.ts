import { closest, distance } from 'fastest-levenshtein';

import { Config } from './config';
import { plainHttpVerdict } from './plain-http-policy';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const KNOWN_FIELDS: string[] = Object.keys(require('../../resources/spec.json').connectionSpecification.properties);

/**
 * What in a valid config is probably not what the user meant: each is a WARN
 * line, not a failure, since the run can still do what the config says. The
 * config has passed parseConfig already.
 */
export function configWarnings(raw: Record<string, unknown>, config: Config, env: NodeJS.ProcessEnv, now: number): string[] {
  const warnings = Object.keys(raw)
    .filter((key) => !KNOWN_FIELDS.includes(key))
    .map((key) => `Config key '${key}' is not a field of this connector and is ignored; ${suggestion(key)}`);
  if (config.start_date !== undefined && Date.parse(config.start_date) > now) {
    warnings.push(
      `Config field 'start_date' is ${config.start_date}, in the future: the date-stamped streams will sync no records until then.`
    );
  }
  const http = plainHttpVerdict(new URL(config.base_url).hostname, env);
  if (new URL(config.base_url).protocol === 'http:' && http.warning) warnings.push(http.warning);
  return warnings;
}

/**
 * The known fields a key most likely meant, compared without case and separators so that
 * `startDate` and `pagesize` land on `start_date` and `page_size`: the nearest by edit distance
 * when it is a likely misspelling, else the fields the key begins (`rate_limit`), else the nearest.
 */
function suggestion(key: string): string {
  const bare = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const wanted = bare(key);
  const byBare = new Map(KNOWN_FIELDS.map((f) => [bare(f), f]));
  const nearest = closest(wanted, [...byBare.keys()]);
  // Within a third of the key's length (at least 2 edits) the nearest field is a likely misspelling.
  if (distance(wanted, nearest) <= Math.max(2, Math.ceil(wanted.length / 3))) return `did you mean '${byBare.get(nearest)}'?`;
  const extended = wanted.length >= 3 ? KNOWN_FIELDS.filter((f) => bare(f).startsWith(wanted)) : [];
  if (extended.length > 0) return `did you mean ${extended.map((f) => `'${f}'`).join(' or ')}?`;
  return `the closest known field is '${byBare.get(nearest)}'.`;
}
