import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, errorBody } from './errors';
import { readJson, writeJson } from './respond';
import { DriftSpec, MutateOp, Sandbox, Settings } from './types';

// The test-only surface: no auth, no rate limit, no faults, not counted.
// Every route is a thin HTTP wrapper over the programmatic Sandbox API, so
// in-process tests and out-of-process tools see the same behaviour.

type Handler = (sandbox: Sandbox, req: IncomingMessage) => Promise<unknown> | unknown;

const ROUTES: Record<string, Partial<Record<'GET' | 'POST', Handler>>> = {
  '/__admin/truth': { GET: (s) => ({ streams: s.truth(), parents: s.parents() }) },
  '/__admin/counters': { GET: (s) => s.counters() },
  '/__admin/counters/reset': {
    POST: (s) => {
      s.resetCounters();
      return s.counters();
    },
  },
  '/__admin/settings': {
    GET: (s) => s.settings(),
    POST: async (s, req) => s.updateSettings((await readJson(req)) as Partial<Settings>),
  },
  '/__admin/mutate': { POST: async (s, req) => s.mutate((await readJson(req)) as MutateOp) },
  '/__admin/drift': {
    GET: (s) => s.drifts(),
    POST: async (s, req) => {
      s.drift((await readJson(req)) as DriftSpec);
      return { ok: true, ...s.drifts() };
    },
  },
};

export async function handleAdmin(sandbox: Sandbox, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
  const methods = ROUTES[path];
  const handler = methods?.[req.method as 'GET' | 'POST'];
  try {
    if (!methods) throw new HttpError(404, `No admin route ${path}; known: ${Object.keys(ROUTES).join(', ')}`);
    if (!handler) throw new HttpError(405, `${req.method} not allowed on ${path}`);
    writeJson(res, 200, await handler(sandbox, req));
  } catch (err) {
    const status = err instanceof HttpError ? err.status : 500;
    writeJson(res, status, errorBody(err instanceof Error ? err.message : String(err)));
  }
}
