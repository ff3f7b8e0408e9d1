import { PassThrough } from 'node:stream';

import { ProtocolOutput } from '../../src/protocol/output';
import { maskWrites, redactMessage, redactor } from '../../src/protocol/redact';

/** What the output writes for a message: the masked message, serialized. */
const written = (secrets: string[], msg: object) => JSON.stringify(redactMessage(msg, redactor(secrets)));

/** Every line a ProtocolOutput writes, given a redactor and what to write. */
async function outputLines(secrets: string[], write: (out: ProtocolOutput) => void): Promise<string[]> {
  const sink = new PassThrough();
  const chunks: string[] = [];
  sink.on('data', (c) => chunks.push(String(c)));
  const out = new ProtocolOutput(sink);
  out.setRedactor(redactor(secrets));
  write(out);
  await out.end();
  return chunks.join('').trim().split('\n');
}

describe('redactor: masks every spelling of a secret in text', () => {
  it.each([
    ['three characters', 'Mug', 'x9Q'],
    ['a double quote and a backslash', 'k"ey\\1', 's\\ec"ret'],
    ['characters URLs and forms encode', 'k y/&+', 'sé=cr%t'],
  ])('hides key and secret (%s): raw, JSON-escaped once and twice, URL- and form-encoded, Basic token', (_what, key, secret) => {
    const basic = Buffer.from(`${key}:${secret}`).toString('base64');
    const body = JSON.stringify({ error: `you sent ${key} ${secret}` }); // an API body quoted in a message
    const text = [
      `raw ${key} ${secret}`,
      `path /v1/orders?k=${encodeURIComponent(key)}&s=${encodeURIComponent(secret)}`,
      `form ${new URLSearchParams({ k: key, s: secret })}`,
      `auth Basic ${basic}`,
      `excerpt ${body}`,
      `excerpt of an excerpt ${JSON.stringify(body)}`,
    ].join('\n');
    const line = written([key, secret], { type: 'LOG', log: { level: 'ERROR', message: text } });
    const forbidden = [key, secret, basic, encodeURIComponent(key), encodeURIComponent(secret)];
    for (const form of [...forbidden, ...forbidden.map((f) => JSON.stringify(f).slice(1, -1))]) {
      expect(line).not.toContain(form);
    }
    const parsed = JSON.parse(line);
    expect(parsed.type).toBe('LOG');
    expect(parsed.log.level).toBe('ERROR');
    expect(parsed.log.message).toMatch(/^raw \*\*\* \*\*\*\n/);
    expect(parsed.log.message).toContain('auth Basic ***');
  });
});

describe('redactMessage: only the free text of LOG, TRACE error and connection status', () => {
  const r = redactor(['Mug', 'ERROR']);

  it('masks log.message and log.stack_trace, never the level', () => {
    const msg = { type: 'LOG', log: { level: 'ERROR', message: 'a Mug', stack_trace: 'at Mug()' } };
    expect(redactMessage(msg, r)).toEqual({ type: 'LOG', log: { level: 'ERROR', message: 'a ***', stack_trace: 'at ***()' } });
  });

  it('masks a TRACE error\'s message, internal_message and stack_trace; keeps its type, failure_type and stream name', () => {
    const msg = {
      type: 'TRACE',
      trace: {
        type: 'ERROR',
        emitted_at: 1,
        error: { message: 'Mug', internal_message: 'ERROR: Mug', stack_trace: 'ERROR\n at Mug', failure_type: 'config_error', stream_descriptor: { name: 'Mug' } },
      },
    };
    expect(redactMessage(msg, r)).toEqual({
      type: 'TRACE',
      trace: {
        type: 'ERROR',
        emitted_at: 1,
        error: { message: '***', internal_message: '***: ***', stack_trace: '***\n at ***', failure_type: 'config_error', stream_descriptor: { name: 'Mug' } },
      },
    });
  });

  it('masks a connection status message, not its status', () => {
    const msg = { type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: 'Mug rejected' } };
    expect(redactMessage(msg, redactor(['FAILED', 'Mug']))).toEqual({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: '*** rejected' } });
  });

  it('leaves STATE, stream-status and estimate TRACEs, SPEC and CATALOG exactly as given', () => {
    const state = { type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'Mug' }, stream_state: { c: 'Mug' } }, data: { Mug: 'Mug' } } };
    const status = { type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at: 1, stream_status: { stream_descriptor: { name: 'Mug' }, status: 'ERROR' } } };
    const spec = { type: 'SPEC', spec: { connectionSpecification: { title: 'Mug', type: 'object' } } };
    const catalog = { type: 'CATALOG', catalog: { streams: [{ name: 'Mug', json_schema: { type: 'object' } }] } };
    for (const msg of [state, status, spec, catalog]) expect(redactMessage(msg, redactor(['Mug', 'object', 'ERROR']))).toBe(msg);
  });
});

describe('ProtocolOutput: records and state byte-for-byte, logs masked', () => {
  it('a record whose title holds the key ("Bamboo Mug") and a state holding it leave unchanged; a log line is masked', async () => {
    const record = { id: 1, title: 'Bamboo Mug', note: 'k"ey\\Mug', updated_at_utc: '2024-01-02T00:00:00Z' };
    const state = { type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'products' }, stream_state: { updated_at_utc: '2024-Mug' } } } };
    const lines = await outputLines(['Mug', '20'], (out) => {
      out.record('products', record);
      out.message(state);
      out.message({ type: 'LOG', log: { level: 'INFO', message: 'Read 20 products, the last a Bamboo Mug' } });
    });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain(`"data":${JSON.stringify(record)}}`);
    expect(lines[1]).toBe(JSON.stringify(state));
    expect(JSON.parse(lines[2]).log.message).toBe('Read *** products, the last a Bamboo ***');
  });
});

describe('maskWrites: anything written to stderr', () => {
  it('masks strings and buffers written to the stream', () => {
    const sink = new PassThrough();
    const chunks: string[] = [];
    sink.on('data', (c) => chunks.push(String(c)));
    maskWrites(sink, redactor(['Mug', 's3cr']));
    sink.write('warning: Mug\n');
    sink.write(Buffer.from(`token ${Buffer.from('Mug:s3cr').toString('base64')}\n`));
    expect(chunks.join('')).toBe('warning: ***\ntoken ***\n');
  });
});
