import { protocolTestMode } from '../helpers/protocol';

describe('protocol-schema validation tests', () => {
  it('run whenever the schema is present, CI or not', () => {
    for (const ci of [undefined, 'true', 'false']) expect(protocolTestMode(true, ci)).toBe('run');
  });

  it.each(['true', '1', 'yes'])('fail (not skip) when the schema is absent under CI=%s', (ci) => {
    expect(protocolTestMode(false, ci)).toBe('fail');
  });

  it.each([undefined, '', 'false', '0'])('skip, saying why, when the schema is absent outside CI (CI=%j)', (ci) => {
    expect(protocolTestMode(false, ci)).toBe('skip');
  });
});
