import { HEARTBEAT_MS, Heartbeat } from '../../src/read/heartbeat';

/** The part alone, on jest's fake clock: what it logs and when it stops. */
describe('Heartbeat', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('logs what the read has done every HEARTBEAT_MS (at most 60 s) while it runs, and nothing after stop()', () => {
    expect(HEARTBEAT_MS).toBeLessThanOrEqual(60_000);
    const lines: string[] = [];
    const logger = { info: (m: string) => lines.push(m) } as never;
    let pages = 0;
    const beat = Heartbeat.start(logger, () => `reading the log: ${pages} pages so far`);
    jest.advanceTimersByTime(HEARTBEAT_MS - 1);
    expect(lines).toEqual([]);
    pages = 3;
    jest.advanceTimersByTime(1);
    expect(lines).toEqual([`Still reading the log: 3 pages so far (${HEARTBEAT_MS / 1000} s so far).`]);
    jest.advanceTimersByTime(HEARTBEAT_MS);
    expect(lines).toHaveLength(2);
    beat.stop();
    jest.advanceTimersByTime(10 * HEARTBEAT_MS);
    expect(lines).toHaveLength(2);
  });
});
