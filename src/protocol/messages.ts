import { ConnectorError } from './errors';

/** Builders for the protocol messages the connector emits beyond records and state (Airbyte protocol v0.3+). */

export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';

export function streamStatus(stream: string, status: StreamStatus): object {
  return {
    type: 'TRACE',
    trace: {
      type: 'STREAM_STATUS',
      emitted_at: Date.now(),
      stream_status: { stream_descriptor: { name: stream }, status },
    },
  };
}

/**
 * RUNNING with the one reason RATE_LIMITED: the stream is alive but held back by the rate limit.
 * `quotaReset`: when the API may be asked again, in epoch ms, when it said so.
 */
export function rateLimitedStatus(stream: string, quotaReset?: number): object {
  const message = streamStatus(stream, 'RUNNING') as { trace: { stream_status: Record<string, unknown> } };
  message.trace.stream_status.reasons = [
    { type: 'RATE_LIMITED', ...(quotaReset !== undefined && { rate_limited: { quota_reset: Math.round(quotaReset) } }) },
  ];
  return message;
}

export function estimate(stream: string, rows: number): object {
  return {
    type: 'TRACE',
    trace: {
      type: 'ESTIMATE',
      emitted_at: Date.now(),
      estimate: { name: stream, type: 'STREAM', row_estimate: rows },
    },
  };
}

export function errorTrace(error: unknown): object {
  const known = error instanceof ConnectorError;
  const err = error as Error;
  return {
    type: 'TRACE',
    trace: {
      type: 'ERROR',
      emitted_at: Date.now(),
      error: {
        message: known ? err.message : `The connector failed unexpectedly: ${err?.message ?? String(error)}`,
        internal_message: (known && (error as ConnectorError).internalMessage) || `${err?.name ?? 'Error'}: ${err?.message ?? String(error)}`,
        // The user's mistake is the message; where the connector noticed it is of no use to anyone.
        ...(!(known && (error as ConnectorError).failureType === 'config_error') && { stack_trace: err?.stack }),
        failure_type: known ? (error as ConnectorError).failureType : 'system_error',
        ...(known && (error as ConnectorError).stream
          ? { stream_descriptor: { name: (error as ConnectorError).stream } }
          : {}),
      },
    },
  };
}

export function connectionStatus(succeeded: boolean, message: string): object {
  return { type: 'CONNECTION_STATUS', connectionStatus: { status: succeeded ? 'SUCCEEDED' : 'FAILED', message } };
}
