import { redactor } from '../../src/redact';

/** What the output writes for a message: the redacted value, serialized. */
const written = (secrets: string[], msg: unknown) => JSON.stringify(redactor(secrets).value(msg));

describe('redactor', () => {
  it.each([
    ['two characters', 'ab', 'cd'],
    ['a double quote and a backslash', 'k"ey\\1', 's\\ec"ret'],
    ['characters URLs and forms encode', 'k y/&+', 'sé=cr%t'],
  ])('hides every spelling of key and secret (%s): raw, JSON-escaped once and twice, URL- and form-encoded, Basic token', (_what, key, secret) => {
    const basic = Buffer.from(`${key}:${secret}`).toString('base64');
    const body = JSON.stringify({ error: `you sent ${key} ${secret}` }); // an API body quoted in a message
    const msg = {
      type: 'LOG',
      log: {
        level: 'ERROR',
        message: [
          `raw ${key} ${secret}`,
          `path /v1/orders?k=${encodeURIComponent(key)}&s=${encodeURIComponent(secret)}`,
          `form ${new URLSearchParams({ k: key, s: secret })}`,
          `auth Basic ${basic}`,
          `excerpt ${body}`,
          `excerpt of an excerpt ${JSON.stringify(body)}`,
        ].join('\n'),
      },
      data: { [secret]: 'a payload key named after the secret' },
    };
    const line = written([key, secret], msg);
    const forbidden = [key, secret, basic, encodeURIComponent(key), encodeURIComponent(secret)];
    for (const form of [...forbidden, ...forbidden.map((f) => JSON.stringify(f).slice(1, -1))]) {
      expect(line).not.toContain(form);
    }
    // The protocol's own structure is intact: the line parses back with the same fields.
    const parsed = JSON.parse(line);
    expect(parsed.type).toBe('LOG');
    expect(parsed.log.level).toBe('ERROR');
    expect(parsed.log.message).toMatch(/^raw \*\*\* \*\*\*/);
    expect(parsed.log.message).toContain('auth Basic ***');
    expect(parsed.data).toEqual({ '***': 'a payload key named after the secret' });
  });

  it('a secret spelled like part of a protocol field name ("ge", "type") leaves the message\'s fields intact', () => {
    const line = written(['type', 'ge'], { type: 'LOG', log: { level: 'INFO', message: 'the type of page' } });
    expect(JSON.parse(line)).toEqual({ type: 'LOG', log: { level: 'INFO', message: 'the *** of pa***' } });
  });

  it('tells whether a serialized record may hold a secret, in its JSON-escaped spelling', () => {
    const r = redactor(['k"ey', 'secret-1']);
    expect(r.mayHold(JSON.stringify({ note: 'k"ey' }))).toBe(true);
    expect(r.mayHold(JSON.stringify({ note: 'secret-1' }))).toBe(true);
    expect(r.mayHold(JSON.stringify({ note: 'nothing here' }))).toBe(false);
  });
});
