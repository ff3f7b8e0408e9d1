/**
 * Keeps the API key and secret out of everything the connector writes. A
 * secret can reach the output in several spellings: as typed, JSON-escaped
 * (once inside a message, twice inside an API body quoted in a message),
 * URL-encoded (in a path), form-encoded, and inside the Basic-auth token.
 * Every spelling is replaced, however short the secret, in string values and
 * payload keys before serialization, so the protocol's own field names and
 * quotes are never touched (a secret such as `"t` or `ge` must not break a line).
 */
export interface Redactor {
  /**
   * The value with every spelling of every secret replaced by `***` in every
   * string, and in the keys of payloads (a record, or a message's `data`):
   * the protocol's own field names are left alone.
   */
  value<T>(value: T, payload?: boolean): T;
  /** Whether a serialized JSON text may hold a secret (a cheap test before redacting a record). */
  mayHold(serialized: string): boolean;
}

export const NO_SECRETS: Redactor = { value: (v) => v, mayHold: () => false };

const jsonEscaped = (text: string) => JSON.stringify(text).slice(1, -1);
const formEncoded = (text: string) => new URLSearchParams({ v: text }).toString().slice(2);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The spellings of one credential as a string value may hold it. */
function spellings(secret: string): string[] {
  const forms = [secret, encodeURIComponent(secret), formEncoded(secret)];
  const once = forms.map(jsonEscaped);
  return [...forms, ...once, ...once.map(jsonEscaped)];
}

export function redactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  const given = secrets.filter((s): s is string => typeof s === 'string' && s !== '');
  if (given.length === 0) return NO_SECRETS;
  const all = given.flatMap(spellings);
  if (given.length === 2) {
    const basic = Buffer.from(`${given[0]}:${given[1]}`).toString('base64');
    all.push(...spellings(basic));
  }
  const unique = [...new Set(all)].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(unique.map(escapeRegExp).join('|'), 'g');
  // In serialized JSON a string value appears JSON-escaped: look for those spellings.
  const serialized = new RegExp([...new Set(unique.map(jsonEscaped))].map(escapeRegExp).join('|'));
  const text = (s: string) => s.replace(pattern, '***');
  const walk = (v: unknown, payload: boolean): unknown => {
    if (typeof v === 'string') return text(v);
    if (v && typeof (v as { toJSON?: unknown }).toJSON === 'function') return walk((v as { toJSON(): unknown }).toJSON(), payload);
    if (Array.isArray(v)) return v.map((inner) => walk(inner, payload));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[payload ? text(k) : k] = walk(inner, payload || k === 'data');
      return out;
    }
    return v;
  };
  return { value: <T>(v: T, payload = false) => walk(v, payload) as T, mayHold: (s) => serialized.test(s) };
}
