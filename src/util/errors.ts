/**
 * Two kinds of failure. A ConfigurationError is the user's to fix (bad input, missing resource,
 * unsafe request) and says what to fix. An OperationalError is the world's (throttling, timeouts,
 * a load balancer that did not take a write) and says what was tried.
 */
import { untrusted } from "./untrusted";

export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

export class OperationalError extends Error {
  override readonly name = "OperationalError";
}

/** A refusal made to keep traffic safe: the environment is not in a state where the step may act. */
export class SafetyError extends Error {
  override readonly name = "SafetyError";
}

/** The suite's own errors, by name (each bundle has its own copy of the classes); subclasses keep these. */
const OWN_ERRORS = new Set(["ConfigurationError", "OperationalError", "SafetyError", "CancelledError", "AwsCallAbortedError"]);

/**
 * The message of an error, to print. The suite's own messages are printed as they are (they pass
 * outside text through `untrusted()` where they take it in); any other message (an AWS service's, a
 * socket's, a parser's) is outside text and comes back through `untrusted()`.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return OWN_ERRORS.has(error.name) ? error.message : untrusted(error.message);
  return untrusted(String(error));
}

/** Wraps an unknown throw with context, keeping the original as the cause. Never swallows. */
export function wrapError(context: string, error: unknown): Error {
  if (error instanceof ConfigurationError || error instanceof SafetyError) return error;
  const code = awsErrorCode(error);
  const message = errorMessage(error);
  const detail = code && !message.includes(code) ? `${untrusted(code, 100)}: ${message}` : message;
  return new OperationalError(`${context}: ${detail}`, { cause: error });
}

/** The AWS error code (e.g. `ListenerNotFound`) of an SDK error, if it is one. */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { Code?: unknown; name?: unknown; $metadata?: unknown };
  if (typeof e.Code === "string") return e.Code;
  if (e.$metadata && typeof e.name === "string") return e.name;
  return undefined;
}
