/**
 * The one time limit of a request: a signal that aborts after `ms` (or when `outer` aborts, the
 * step being stopped), and whether it was the limit that ended the request. The limit covers the
 * whole exchange, the body included, because the caller reads the body under the same signal.
 */
export interface RequestTimeout {
  signal: AbortSignal;
  /** True once the `ms` passed (not when only `outer` aborted). */
  timedOut(): boolean;
}

export function requestTimeout(ms: number, outer?: AbortSignal): RequestTimeout {
  const timeout = AbortSignal.timeout(ms);
  return { signal: outer ? AbortSignal.any([timeout, outer]) : timeout, timedOut: () => timeout.aborted };
}
