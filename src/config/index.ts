/** The user's configuration: validated before any request, with warnings for what was probably meant otherwise. */
export * from './config';
export * from './config-warnings';
export * from './plain-http-policy';
