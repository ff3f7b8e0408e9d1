import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { handleAdmin } from './admin';
import { answer, parents, route, truth } from './api';
import { generateDataset } from './data';
import { DriftQueue, parseDrift } from './drift';
import { badRequest, errorBody } from './errors';
import { drawFault, faultDelayMs, writeReplacingFault, writeTruncated } from './faults';
import { applyMutation, parseMutation } from './mutations';
import { Random } from './prng';
import { LeakyBucket } from './rate-limit';
import { writeJson } from './respond';
import { DEFAULT_SETTINGS, parseSettingsPatch } from './settings';
import { Counters, Sandbox, SandboxOptions, Settings, Stream } from './types';

export type {
  Counters, DriftLog, DriftSpec, FaultKind, MutateOp, MutateResult, RecordKey, Sandbox, SandboxOptions, Settings, Stream,
} from './types';
export { FAULT_KINDS } from './types';
export { HttpError } from './errors';

const HOST = '127.0.0.1';

function emptyCounters(): Counters {
  return { requests: 0, byStatus: {}, rateLimited: 0, faults: 0, byFault: {}, peakConcurrency: 0, byResource: {}, singleProduct: 0, singleRecord: {}, idsLists: 0, sideLists: {}, counts: 0 };
}

/** Constant-time comparison, so the sandbox does not teach clients a timing leak is fine. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function checkOptions(opts: SandboxOptions): void {
  const { port = 0, seed = 42, scale = 1, apiKey = 'demo_key', apiSecret = 'demo_secret' } = opts;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw badRequest('port must be an integer 0..65535');
  if (!Number.isInteger(seed)) throw badRequest('seed must be an integer');
  if (!(typeof scale === 'number' && scale > 0 && Number.isFinite(scale))) throw badRequest('scale must be a number > 0');
  if (!apiKey || !apiSecret) throw badRequest('apiKey and apiSecret must be non-empty');
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  checkOptions(opts);
  const seed = opts.seed ?? 42;
  const apiKey = opts.apiKey ?? 'demo_key';
  const apiSecret = opts.apiSecret ?? 'demo_secret';
  const vendor = opts.vendor ?? false;
  const settings: Settings = {
    ...DEFAULT_SETTINGS,
    ...parseSettingsPatch({
      rateLimitCapacity: opts.rateLimitCapacity,
      rateLimitPerSecond: opts.rateLimitPerSecond,
      latencyMs: opts.latencyMs,
      faultRate: opts.faultRate,
      faults: opts.faults,
      pageCap: opts.pageCap,
      includeTotal: opts.includeTotal,
      productById: opts.productById,
      dataClock: opts.dataClock,
    }),
  };

  const store = generateDataset(seed, opts.scale ?? 1);
  // Separate generators, so turning faults on never changes what mutations produce.
  const mutationCtx = { rnd: new Random(seed ^ 0x6d757461), store };
  const faultRnd = new Random(seed ^ 0x0fa017);
  const bucket = new LeakyBucket(settings.rateLimitCapacity, settings.rateLimitPerSecond);
  const drifts = new DriftQueue();
  let counters = emptyCounters();
  let inFlight = 0;
  const timers = new Set<NodeJS.Timeout>();

  const sleep = (ms: number) =>
    ms <= 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, ms);
          timers.add(timer);
        });

  const countStatus = (status: number) => {
    counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) => {
    countStatus(status);
    writeJson(res, status, body, headers);
  };

  function authorized(header: string | undefined): boolean {
    const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    if (!match) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Evaluate both halves so a wrong key and a wrong secret take the same time.
    const keyOk = sameSecret(decoded.slice(0, colon), apiKey);
    const secretOk = sameSecret(decoded.slice(colon + 1), apiSecret);
    return keyOk && secretOk;
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.requests += 1;
    inFlight += 1;
    counters.peakConcurrency = Math.max(counters.peakConcurrency, inFlight);
    res.on('close', () => (inFlight -= 1));

    const url = new URL(req.url ?? '/', 'http://sandbox');
    const target = route(url.pathname);
    if (target?.single && target.stream === 'products') counters.singleProduct += 1;
    else if (target?.single) counters.singleRecord[target.stream] = (counters.singleRecord[target.stream] ?? 0) + 1;
    else if (target?.count) counters.counts += 1;
    else if (target) counters.byResource[target.stream] = (counters.byResource[target.stream] ?? 0) + 1;
    if (target?.stream === 'orders' && !target.single && url.searchParams.has('ids')) counters.idsLists += 1;
    for (const param of ['trade', 'archived']) {
      const value = url.searchParams.get(param);
      if (target && !target.single && !target.count && value !== null) counters.sideLists[`${param}=${value}`] = (counters.sideLists[`${param}=${value}`] ?? 0) + 1;
    }

    // Order matters: the bucket sees every request (401s too), faults only authenticated ones.
    const admitted = bucket.take();
    if (!admitted.ok) {
      counters.rateLimited += 1;
      await sleep(settings.latencyMs);
      return send(res, 429, errorBody('Too many requests'), { 'retry-after': String(admitted.retryAfterSeconds) });
    }
    if (!authorized(req.headers.authorization)) {
      await sleep(settings.latencyMs);
      return send(res, 401, errorBody('Invalid API credentials'), { 'www-authenticate': 'Basic realm="api"' });
    }
    const fault = drawFault(faultRnd, settings);
    if (fault) {
      counters.faults += 1;
      counters.byFault[fault] = (counters.byFault[fault] ?? 0) + 1;
    }
    await sleep(settings.latencyMs + faultDelayMs(fault));

    if (fault) {
      const sent = writeReplacingFault(fault, req, res);
      if (sent !== undefined) {
        if (sent !== null) countStatus(sent);
        return;
      }
    }
    // Built after the wait, so the page reflects any mutation made meanwhile.
    const out = answer(store, settings, vendor, req.method ?? 'GET', url);
    if (settings.dataClock) res.setHeader('date', new Date(store.clock).toUTCString());
    if (fault === 'truncate') {
      countStatus(out.status);
      return writeTruncated(res, out.status, Buffer.from(JSON.stringify(out.body)));
    }
    send(res, out.status, out.body, out.headers);
    // A faulted request changes nothing, so only clean list answers advance drift.
    if (!fault && out.status === 200 && target && !target.single) applyDueDrifts(target.stream, target.productId);
  }

  function applyDueDrifts(stream: Stream, productId: number | undefined): void {
    for (const drift of drifts.due(stream, productId)) {
      try {
        drifts.record(drift.spec, { result: applyMutation(mutationCtx, drift.mutation, vendor, settings.changeEvents) });
      } catch (err) {
        drifts.record(drift.spec, { error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  const server: Server = createServer((req, res) => {
    const isAdmin = (req.url ?? '').startsWith('/__admin/');
    const handling = isAdmin ? handleAdmin(sandbox, req, res) : handleApi(req, res);
    handling.catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      writeJson(res, 500, errorBody(`Sandbox error: ${err instanceof Error ? err.message : String(err)}`));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const sandbox: Sandbox = {
    url: `http://${HOST}:${port}`,
    port,
    vendor,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        // Hung requests and idle keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
    truth: () => truth(store, vendor),
    parents: () => parents(store),
    emittedTruth: () => {
      const out = truth(store, vendor);
      for (const [stream, parentOf] of Object.entries(parents(store))) {
        out[stream as Stream] = out[stream as Stream].map((r) => ({ ...r, product_id: parentOf[String(r.id)] }));
      }
      return out;
    },
    counters: () => structuredClone(counters),
    resetCounters: () => {
      counters = emptyCounters();
      counters.peakConcurrency = inFlight;
    },
    settings: () => structuredClone(settings),
    updateSettings: (patch) => {
      const valid = parseSettingsPatch(patch);
      Object.assign(settings, valid);
      if (valid.rateLimitCapacity !== undefined || valid.rateLimitPerSecond !== undefined) {
        bucket.configure(settings.rateLimitCapacity, settings.rateLimitPerSecond);
      }
      return structuredClone(settings);
    },
    mutate: (op) => applyMutation(mutationCtx, parseMutation(op), vendor, settings.changeEvents),
    drift: (spec) => {
      const { spec: valid, mutation } = parseDrift(spec);
      drifts.arm(valid, mutation);
    },
    drifts: () => drifts.log(),
  };
  return sandbox;
}
