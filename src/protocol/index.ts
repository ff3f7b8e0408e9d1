/**
 * The Airbyte protocol's edge, messages in and out: the --config, --catalog
 * and --state files read, the configured catalog and state parsed, every
 * message written (batched, with backpressure, secrets masked), the error
 * types a TRACE message carries, and a cancel's clean exit.
 */
export * from './cancel';
export * from './catalog';
export * from './errors';
export * from './input-files';
export * from './messages';
export * from './output';
export * from './redact';
export * from './state';
export * from './state-check';
export * from './terminal-echo';
