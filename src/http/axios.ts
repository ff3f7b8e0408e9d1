/**
 * axios, without loading on start-up the packages only its form-data and
 * HTTPS-proxy code use. axios requires form-data (and, through it, a dozen small
 * packages) and https-proxy-agent when it loads: about 50 ms of CPU on every check
 * and read, for code a GET without a proxy never runs. axios gets stand-ins that
 * load each package the first time axios uses it. The client's files import axios
 * from here, so that the stand-ins are in place before axios loads.
 */
import path from 'node:path';

import { loadOnFirstUse } from '../load-on-first-use';

const AXIOS = path.dirname(require.resolve('axios'));
loadOnFirstUse('form-data', AXIOS, { callable: true });
loadOnFirstUse('https-proxy-agent', AXIOS, { callable: true });

export * from 'axios';
export { default } from 'axios';
