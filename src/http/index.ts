/**
 * The requester: the one HTTP client (auth, timeouts, keep-alive), its rate
 * limiter, retry policy and error wording, and the watch that tells the
 * platform when a stream is held back by the rate limit.
 */
export * from './client';
export * from './describe-error';
export * from './rate-limit-watch';
export * from './rate-limiter';
export * from './retry-policy';
