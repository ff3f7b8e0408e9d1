import { Config } from './config';
import { extensionsOf, likelyMeant, nearestOf } from './nearest-name';
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
 * The known fields a key most likely meant: the nearest by edit distance when it is a likely
 * misspelling, else the fields the key begins (`rate_limit`), else the nearest.
 */
function suggestion(key: string): string {
  const meant = likelyMeant(key, KNOWN_FIELDS);
  if (meant) return `did you mean '${meant}'?`;
  const extended = extensionsOf(key, KNOWN_FIELDS);
  if (extended.length > 0) return `did you mean ${extended.map((f) => `'${f}'`).join(' or ')}?`;
  return `the closest known field is '${nearestOf(key, KNOWN_FIELDS)}'.`;
}
