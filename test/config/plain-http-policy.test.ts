import { hostKind, plainHttpVerdict } from '../../src/config/plain-http-policy';

describe('hostKind', () => {
  it.each([
    ['localhost', 'loopback'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.17.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.20', 'private'],
    ['[fd12:3456::1]', 'private'],
    ['[::ffff:a00:1]', 'private'],
    ['169.254.169.254', 'link-local'],
    ['[fe80::1]', 'link-local'],
    ['host.docker.internal', 'local name'],
    ['HOST.DOCKER.INTERNAL', 'local name'],
    ['sandbox.default.svc.cluster.local', 'local name'],
    ['printer.home.arpa', 'local name'],
    ['shop.localhost', 'local name'],
    ['sandbox', 'local name'],
    ['172.32.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['[2001:db8::1]', 'public'],
    ['api.ecommerceapi.uk', 'public'],
    ['internal.example.com', 'public'],
    ['example.local.com', 'public'],
  ])('%s is %s', (host, kind) => {
    expect(hostKind(host)).toBe(kind);
  });
});

describe('plainHttpVerdict', () => {
  it('allows loopback without a warning: nothing leaves the machine', () => {
    expect(plainHttpVerdict('127.0.0.1', {})).toEqual({ allowed: true });
  });

  it('allows private, link-local and local names with a warning naming the host', () => {
    for (const host of ['172.17.0.1', '169.254.1.1', 'host.docker.internal']) {
      const verdict = plainHttpVerdict(host, { DEPLOYMENT_MODE: 'CLOUD' });
      expect(verdict.allowed).toBe(true);
      expect(verdict.warning).toContain(host);
      expect(verdict.warning).toMatch(/unencrypted/);
    }
  });

  it('refuses a public host on Airbyte Cloud and when no deployment mode is set', () => {
    expect(plainHttpVerdict('api.example.com', { DEPLOYMENT_MODE: 'CLOUD' })).toEqual({ allowed: false });
    expect(plainHttpVerdict('api.example.com', { DEPLOYMENT_MODE: 'cloud' })).toEqual({ allowed: false });
    expect(plainHttpVerdict('api.example.com', {})).toEqual({ allowed: false });
    expect(plainHttpVerdict('api.example.com', { DEPLOYMENT_MODE: ' ' })).toEqual({ allowed: false });
  });

  it('allows a public host in a self-managed deployment (DEPLOYMENT_MODE OSS), with a warning naming the mode', () => {
    const verdict = plainHttpVerdict('api.example.com', { DEPLOYMENT_MODE: 'OSS' });
    expect(verdict.allowed).toBe(true);
    expect(verdict.warning).toMatch(/public host api\.example\.com.*DEPLOYMENT_MODE is OSS/);
  });
});
