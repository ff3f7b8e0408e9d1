import { badRequest, isPlainObject } from './errors';
import { FAULT_KINDS, FaultKind, IDS_FILTER_MODES, Settings, SIDE_FILTER_MODES } from './types';

export const DEFAULT_FAULTS: FaultKind[] = ['500', '502', '503', '504', 'reset', 'truncate', 'nonjson'];

export const DEFAULT_SETTINGS: Settings = {
  rateLimitCapacity: 40,
  rateLimitPerSecond: 2,
  latencyMs: 0,
  faultRate: 0,
  faults: DEFAULT_FAULTS,
  pageCap: 100,
  includeTotal: true,
  productById: true,
  embed: true,
  embedCap: 0,
  orderFilters: true,
  counts: true,
  dataClock: false,
  changeEvents: true,
  idsFilter: 'honoured',
  eventFilters: true,
  tradeFilter: 'shown',
  archivedFilter: 'shown',
  createdSort: true,
};

const isNonNegative = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

const RULES: { [K in keyof Settings]: [check: (v: unknown) => boolean, expected: string] } = {
  rateLimitCapacity: [(v) => Number.isInteger(v) && (v as number) >= 0, 'an integer >= 0'],
  rateLimitPerSecond: [isNonNegative, 'a number >= 0'],
  latencyMs: [isNonNegative, 'a number >= 0'],
  faultRate: [(v) => isNonNegative(v) && (v as number) <= 1, 'a number between 0 and 1'],
  faults: [
    (v) => Array.isArray(v) && v.length > 0 && v.every((k) => (FAULT_KINDS as readonly unknown[]).includes(k)),
    `a non-empty array of ${FAULT_KINDS.join(', ')}`,
  ],
  pageCap: [(v) => Number.isInteger(v) && (v as number) >= 1, 'an integer >= 1'],
  includeTotal: [(v) => typeof v === 'boolean', 'a boolean'],
  productById: [(v) => typeof v === 'boolean', 'a boolean'],
  embed: [(v) => typeof v === 'boolean', 'a boolean'],
  embedCap: [(v) => Number.isInteger(v) && (v as number) >= 0, 'an integer >= 0'],
  orderFilters: [(v) => typeof v === 'boolean', 'a boolean'],
  counts: [(v) => typeof v === 'boolean', 'a boolean'],
  dataClock: [(v) => typeof v === 'boolean', 'a boolean'],
  changeEvents: [(v) => typeof v === 'boolean', 'a boolean'],
  eventFilters: [(v) => typeof v === 'boolean', 'a boolean'],
  idsFilter: [(v) => (IDS_FILTER_MODES as readonly unknown[]).includes(v), `one of ${IDS_FILTER_MODES.join(', ')}`],
  tradeFilter: [(v) => (SIDE_FILTER_MODES as readonly unknown[]).includes(v), `one of ${SIDE_FILTER_MODES.join(', ')}`],
  archivedFilter: [(v) => (SIDE_FILTER_MODES as readonly unknown[]).includes(v), `one of ${SIDE_FILTER_MODES.join(', ')}`],
  createdSort: [(v) => typeof v === 'boolean', 'a boolean'],
};

/**
 * Checks a settings patch. Unknown keys are rejected rather than ignored, so a
 * misspelt setting in a test fails loudly instead of silently doing nothing.
 */
export function parseSettingsPatch(body: unknown): Partial<Settings> {
  if (!isPlainObject(body)) throw badRequest('Settings must be a JSON object');
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    const rule = RULES[key as keyof Settings];
    if (!rule) throw badRequest(`Unknown setting "${key}"; known: ${Object.keys(RULES).join(', ')}`);
    if (!rule[0](value)) throw badRequest(`Setting "${key}" must be ${rule[1]}`);
    patch[key] = Array.isArray(value) ? [...value] : value;
  }
  return patch as Partial<Settings>;
}
