/**
 * Two kinds of failure. A ConfigurationError is the user's to fix (bad input, missing resource,
 * unsafe request) and says what to fix. An OperationalError is the world's (throttling, timeouts,
 * a load balancer that did not take a write) and says what was tried.
 */
import { untrusted } from "./untrusted";

/**
 * Every error class of the suite is branded, so `instanceof` holds across bundles: the validation
 * stub (dist/<action>/index.js) and the main bundle (dist/main/) each carry their own copy of these
 * classes. An instance records the kinds of its class and of every base under a registry symbol
 * (`Symbol.for`, the same symbol in every copy); `instanceof` reads that record. A class takes part
 * by declaring its own `static override readonly kind`; one that does not is checked as usual.
 */
const KINDS = Symbol.for("zero-downtime-actions.error-kinds");

function kindsOf(value: unknown): unknown {
  return typeof value === "object" && value !== null ? (value as Record<symbol, unknown>)[KINDS] : undefined;
}

export class SuiteError extends Error {
  static readonly kind: string = "SuiteError";

  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    const kinds: string[] = [];
    for (let c: unknown = new.target; typeof c === "function" && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, "kind")) kinds.push((c as typeof SuiteError).kind);
    }
    Object.defineProperty(this, KINDS, { value: kinds });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!Object.hasOwn(this, "kind")) return Function.prototype[Symbol.hasInstance].call(this, value);
    const kinds = kindsOf(value);
    return Array.isArray(kinds) && kinds.includes(this.kind);
  }
}

export class ConfigurationError extends SuiteError {
  static override readonly kind: string = "ConfigurationError";
  override readonly name = "ConfigurationError";
}

export class OperationalError extends SuiteError {
  static override readonly kind: string = "OperationalError";
  override readonly name = "OperationalError";
}

/** A refusal made to keep traffic safe: the environment is not in a state where the step may act. */
export class SafetyError extends SuiteError {
  static override readonly kind: string = "SafetyError";
  override readonly name = "SafetyError";
}

/**
 * The message of an error, to print. The suite's own messages are printed as they are (they pass
 * outside text through `untrusted()` where they take it in); any other message (an AWS service's, a
 * socket's, a parser's) is outside text and comes back through `untrusted()`.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof SuiteError) return error.message;
  if (error instanceof Error) return untrusted(error.message);
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

/** AWS's throttling codes (ELB ThrottlingException, Auto Scaling and CloudWatch Throttling, EC2 RequestLimitExceeded). */
const THROTTLING = /^(Throttling|ThrottlingException|ThrottledException|RequestLimitExceeded|TooManyRequestsException|RequestThrottled(Exception)?)$/;

/** True when an error (or what it wraps) is AWS throttling the account's API budget: the SDK's retries ran out. */
export function isThrottling(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = awsErrorCode(e);
    if (code && THROTTLING.test(code)) return true;
  }
  return false;
}

/** The AWS error code (e.g. `ListenerNotFound`) of an SDK error, if it is one. */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { Code?: unknown; name?: unknown; $metadata?: unknown };
  if (typeof e.Code === "string") return e.Code;
  if (e.$metadata && typeof e.name === "string") return e.name;
  return undefined;
}
