/** Failure types of the Airbyte protocol's TRACE error message. */
export type FailureType = 'config_error' | 'system_error' | 'transient_error';

/**
 * An error the connector understands: `message` is for a shop owner (what
 * failed and what to do), `internalMessage` for an engineer. Neither ever
 * contains credentials.
 */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly failureType: FailureType,
    readonly internalMessage?: string,
    readonly stream?: string
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad configuration, credentials, catalog or state: the user has to act. */
export class ConfigError extends ConnectorError {
  constructor(message: string, internalMessage?: string, stream?: string) {
    super(message, 'config_error', internalMessage, stream);
  }
}

/** An HTTP request that failed for good (after retries where they apply). */
export class ApiError extends ConnectorError {
  constructor(
    message: string,
    failureType: FailureType,
    readonly status: number | undefined,
    readonly path: string,
    internalMessage?: string,
    stream?: string
  ) {
    super(message, failureType, internalMessage, stream);
  }
}

/**
 * The list did not advance or changed beyond repair while being paged. A
 * transient error: the server's answers, not the connector or the config, are
 * at fault, and a later attempt (the list settled) may well succeed.
 */
export class PaginationError extends ConnectorError {
  constructor(message: string, stream: string) {
    super(message, 'transient_error', undefined, stream);
  }
}
