/** Issue 6: the form a platform draws from `spec`. */
import { runConnector } from '../helpers/connector';

describe('the spec form', () => {
  let spec: any;
  beforeAll(async () => {
    const run = await runConnector(['spec']);
    expect(run.code).toBe(0);
    spec = run.messages.find((m) => m.type === 'SPEC')!.spec.connectionSpecification;
  });

  it('asks only for the key and the secret, with start date first among the optional fields', () => {
    expect(spec.required).toEqual(['api_key', 'api_secret']);
    const byOrder = Object.entries<any>(spec.properties).sort((a, b) => a[1].order - b[1].order).map(([k]) => k);
    expect(byOrder.slice(0, 3)).toEqual(['api_key', 'api_secret', 'start_date']);
  });

  it('gives every field a title, a description, an order and a group; defaults where optional', () => {
    const groups = spec.groups.map((g: any) => g.id);
    for (const [name, field] of Object.entries<any>(spec.properties)) {
      expect([name, typeof field.title, typeof field.description, typeof field.order]).toEqual([name, 'string', 'string', 'number']);
      expect(field.description.length).toBeGreaterThan(30);
      expect(groups).toContain(field.group);
      if (!spec.required.includes(name) && name !== 'start_date') expect([name, field.default]).not.toEqual([name, undefined]);
    }
    const orders = Object.values<any>(spec.properties).map((f) => f.order);
    expect(new Set(orders).size).toBe(orders.length);
  });

  it('groups the advanced options apart from the connection fields', () => {
    const inGroup = (g: string) => Object.entries<any>(spec.properties).filter(([, f]) => f.group === g).map(([k]) => k);
    expect(inGroup('connection')).toEqual(['api_key', 'api_secret', 'start_date']);
    expect(inGroup('advanced')).toEqual(
      expect.arrayContaining(['rate_limit_capacity', 'rate_limit_per_second', 'max_concurrency', 'request_timeout_seconds', 'page_size'])
    );
  });

  it('marks the key and the secret as secrets, and gives examples for the numbers', () => {
    expect(spec.properties.api_key.airbyte_secret).toBe(true);
    expect(spec.properties.api_secret.airbyte_secret).toBe(true);
    for (const name of ['start_date', 'page_size', 'rate_limit_per_second', 'max_concurrency']) {
      expect(spec.properties[name].examples?.length).toBeGreaterThan(0);
    }
  });
});
