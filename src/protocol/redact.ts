import { Writable } from 'node:stream';

/**
 * Keeps the API key and secret out of the text the connector writes for
 * people: LOG messages, TRACE error messages and stack traces, the check's
 * connection-status message, and stderr. Only those free-text fields are
 * masked. RECORD and STATE messages carry the shop's data, and SPEC and
 * CATALOG the connector's own: they leave exactly as they are, and so do the
 * protocol's words (message types, levels, stream names, statuses), so that a
 * credential that is also a word of the shop ("Mug") or of the protocol
 * ("ERROR") alters nothing but the human-readable text it appears in.
 *
 * A secret can reach that text in several spellings: as typed, JSON-escaped
 * (once inside a quoted API body, twice inside a quoted excerpt of one),
 * URL-encoded (in a path), form-encoded, and inside the Basic-auth token.
 * Every spelling is masked, however short the secret.
 */
export interface Redactor {
  /** The text with every spelling of every secret replaced by `***`. */
  text(text: string): string;
}

export const NO_SECRETS: Redactor = { text: (t) => t };

/**
 * Credentials shorter than this are refused by the config (src/config/config.ts).
 * One or two characters are no issued credential (95² ≈ 9,000 values) and
 * occur in almost every line: masking them would leave no message readable.
 */
export const MIN_CREDENTIAL_LENGTH = 3;

const jsonEscaped = (text: string) => JSON.stringify(text).slice(1, -1);
const formEncoded = (text: string) => new URLSearchParams({ v: text }).toString().slice(2);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The spellings of one credential that a text may hold. */
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
  // Longest first, so that a spelling containing another is masked whole.
  const unique = [...new Set(all)].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(unique.map(escapeRegExp).join('|'), 'g');
  return { text: (t) => t.replace(pattern, '***') };
}

type Message = { type?: unknown; log?: Free; trace?: { error?: Free }; connectionStatus?: Free };
type Free = Record<string, unknown>;

/** The free-text fields of each message type, the only places a secret is masked. */
const FREE_TEXT: Record<string, (m: Message) => Free | undefined> = {
  LOG: (m) => m.log,
  TRACE: (m) => m.trace?.error,
  CONNECTION_STATUS: (m) => m.connectionStatus,
};
const TEXT_FIELDS = ['message', 'internal_message', 'stack_trace'];

/**
 * A protocol message with the secrets masked in its free text; any other
 * field, and any other message type (RECORD, STATE, SPEC, CATALOG), as given.
 */
export function redactMessage<T extends object>(msg: T, redactor: Redactor): T {
  if (redactor === NO_SECRETS) return msg;
  const m = msg as Message;
  const free = FREE_TEXT[String(m.type)]?.(m);
  if (!free) return msg;
  const masked: Free = { ...free };
  for (const field of TEXT_FIELDS) {
    if (typeof masked[field] === 'string') masked[field] = redactor.text(masked[field] as string);
  }
  if (m.type === 'LOG') return { ...msg, log: masked };
  if (m.type === 'TRACE') return { ...msg, trace: { ...m.trace, error: masked } };
  return { ...msg, connectionStatus: masked };
}

/**
 * Masks the secrets in everything written to a text stream from now on
 * (stderr: Node's own warnings and crash reports, or a library's).
 */
export function maskWrites(stream: Writable, redactor: Redactor): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
    return write(text === undefined ? chunk : redactor.text(text), ...rest);
  }) as typeof stream.write;
}
