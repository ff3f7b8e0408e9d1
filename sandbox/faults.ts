import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from './errors';
import { Random } from './prng';
import { writeJson } from './respond';
import { FaultKind, Settings } from './types';

// The failures a real shop API produces under load, on demand and repeatably
// (drawn from a seeded generator, so the same run meets the same faults).

const STATUS_TEXT: Record<string, string> = {
  '500': 'Internal server error',
  '502': 'Bad gateway',
  '503': 'Service unavailable',
  '504': 'Gateway timeout',
};

/** One draw per request keeps the sequence stable when the fault rate changes. */
export function drawFault(rnd: Random, settings: Settings): FaultKind | null {
  const roll = rnd.next();
  if (roll >= settings.faultRate || settings.faults.length === 0) return null;
  return rnd.pick(settings.faults);
}

/** Extra delay a fault adds before the (otherwise correct) answer. */
export function faultDelayMs(kind: FaultKind | null): number {
  return kind === 'slow' ? 2000 : 0;
}

/**
 * Faults that replace the answer entirely. Returns the status sent, null if
 * nothing was sent, or undefined if this kind does not replace the answer
 * ('slow' answers late, 'truncate' needs the real body: see writeTruncated).
 */
export function writeReplacingFault(
  kind: FaultKind,
  req: IncomingMessage,
  res: ServerResponse,
): number | null | undefined {
  switch (kind) {
    case 'hang':
      // Leave the socket open and silent until the client gives up or the server closes.
      return null;
    case 'reset':
      req.socket.resetAndDestroy();
      return null;
    case 'nonjson':
      // What a load balancer's maintenance page looks like to a JSON client.
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html>Service temporarily unavailable</html>');
      return 200;
    case 'nodata':
      writeJson(res, 200, { message: 'ok' });
      return 200;
    case '500':
    case '502':
    case '503':
    case '504':
      writeJson(res, Number(kind), errorBody(STATUS_TEXT[kind]));
      return Number(kind);
    default:
      return undefined;
  }
}

/** Promise the whole body, deliver half, then drop the connection. */
export function writeTruncated(res: ServerResponse, status: number, payload: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length });
  res.write(payload.subarray(0, Math.max(1, Math.floor(payload.length / 2))), () => res.socket?.destroy());
}
