/**
 * The read path between a stream's declaration and its records: the API's
 * dialect (list and record bodies, dates), the paginator and the page cap it
 * learns, the cursor (client-side, server-side `from`, the events change feed,
 * re-reads by id), the product list that child streams slice by (read once,
 * embedded arrays, 404 checks, resumable full refresh), count estimates and
 * progress logs.
 */
export * from './change-feed';
export * from './child-not-found';
export * from './child-resume';
export * from './count-estimates';
export * from './created-since-filter';
export * from './cursor-filter';
export * from './cursors';
export * from './deletions';
export * from './dialect';
export * from './embedded-children';
export * from './existence';
export * from './heartbeat';
export * from './page-cap';
export * from './pagination';
export * from './partitions';
export * from './product-list';
export * from './progress';
export * from './refetch-by-id';
export * from './run-chain';
export * from './vendor';
