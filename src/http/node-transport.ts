import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

import { AxiosAdapter, AxiosError, AxiosHeaders, AxiosResponse } from './axios';

/**
 * The exchange itself, for axios, on Node's own `http`/`https` with the
 * client's keep-alive agents: one request, the body gathered, decoded and
 * parsed once. Axios's own HTTP adapter did the same through streams,
 * per-request header objects, redirect and proxy machinery this client never
 * uses (no redirects, no proxy set; the client keeps axios's adapter when a
 * proxy is): it cost about a third of a read's CPU (docs/performance.md).
 *
 * What the rest of the client sees is what axios's adapter gave it: a
 * response for every status (axios's `validateStatus` decides, as `settle`
 * does), an AxiosError with the underlying code for a failed connection, one
 * with the response for a body cut off mid-way, and an ETIMEDOUT once the
 * whole attempt outlasts `timeout` (axios's own bound only covered an idle
 * socket; the client bounded the whole attempt on top of it).
 */
export function nodeTransport(
  baseUrl: string,
  agents: { http: http.Agent; https: https.Agent },
  headers: http.OutgoingHttpHeaders
): AxiosAdapter {
  // Parsed once: every request goes to this origin, under its path (joined as axios joins baseURL and url).
  const base = new URL(baseUrl);
  const secure = base.protocol === 'https:';
  const { protocol, port } = base;
  const hostname = base.hostname.replace(/^\[(.*)\]$/, '$1');
  const agent = secure ? agents.https : agents.http;
  const requestHeaders = { ...headers, 'Accept-Encoding': ACCEPT_ENCODING };
  const prefix = base.pathname.replace(/\/+$/, '');
  const send = secure ? https.request : http.request;
  return (config) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      const limitMs = config.timeout ?? 0;
      let settled = false;
      const fail = (error: AxiosError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
        req.destroy();
      };
      const req = send(
        // A literal, not a spread of shared options: V8 copies such an object by its slow path (~1 µs a request).
        { method: 'GET', protocol, hostname, port, agent, headers: requestHeaders, path: `${prefix}/${config.url!.replace(/^\/+/, '')}` },
        (res) => {
          const response: AxiosResponse = {
            status: res.statusCode!,
            statusText: res.statusMessage ?? '',
            headers: axiosHeaders(res.headers),
            config,
            request: req,
            data: undefined,
          };
          const body = decoded(res);
          const chunks: Buffer[] = [];
          body.on('data', (chunk: Buffer) => chunks.push(chunk));
          // The server closed the connection before the whole body came: a 2xx to retry, like axios's adapter.
          res.on('aborted', () => fail(new AxiosError('stream has been aborted', AxiosError.ERR_BAD_RESPONSE, config, req, response)));
          body.on('error', (error) => fail(AxiosError.from(error, undefined, config, req, response)));
          body.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            response.data = parseJson((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8'));
            if (config.validateStatus && !config.validateStatus(response.status)) {
              const code = response.status >= 400 && response.status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE;
              reject(new AxiosError(`Request failed with status code ${response.status}`, code, config, req, response));
            } else resolve(response);
          });
        }
      );
      // axios set this 60 s probe on every request's socket; the client's agents keep the same delay,
      // so setting it again is no system call (test/http/client.test.ts counts them).
      req.on('socket', (socket) => socket.setKeepAlive(true, 60_000));
      req.on('error', (error) => fail(AxiosError.from(error, undefined, config, req)));
      const timer =
        limitMs > 0
          ? setTimeout(() => fail(new AxiosError(`the whole request took longer than ${limitMs} ms`, AxiosError.ETIMEDOUT, config, req)), limitMs)
          : undefined;
      req.end();
    });
}

/** The body as axios's default transform left it: JSON when it parses, else the text (an empty body stays ''). */
export function parseJson(text: string): unknown {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (clean === '') return clean;
  try {
    return JSON.parse(clean);
  } catch {
    return clean;
  }
}

/**
 * The answer's headers as the AxiosHeaders axios makes of them, without its
 * per-header lookup among those already set (quadratic): Node's parser gives
 * each name once, lower-cased, its value trimmed and free of the control
 * characters axios would strip (the strict parser refuses them).
 */
function axiosHeaders(raw: http.IncomingHttpHeaders): AxiosHeaders {
  // A header named __proto__ is the one name axios stores under another key.
  if (Object.prototype.hasOwnProperty.call(raw, '__proto__')) return new AxiosHeaders(raw as Record<string, string>);
  return Object.assign(new AxiosHeaders(), raw);
}

/** The encodings asked for: those decoded below (axios also asked for deflate, which some servers send raw). */
const ACCEPT_ENCODING = 'gzip, br';

function decoded(res: http.IncomingMessage): NodeJS.ReadableStream {
  switch (res.headers['content-encoding']) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(zlib.createUnzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH }));
    case 'br':
      return res.pipe(zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }));
    default:
      return res;
  }
}
