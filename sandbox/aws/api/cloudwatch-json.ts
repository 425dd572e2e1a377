/** CloudWatch's awsJson1_0 protocol: timestamps and error names (the operations are in cloudwatch.ts). */
const EXCEPTION_NAMES: Record<string, string> = {
  InvalidParameterValue: "InvalidParameterValueException",
  MissingParameter: "MissingRequiredParameterException",
  InvalidParameterCombination: "InvalidParameterCombinationException",
  InternalServiceError: "InternalServiceFault",
  LimitExceeded: "LimitExceededFault",
};

/** JSON protocol helpers: timestamps are epoch seconds; error `__type` names the modeled exception. */
export const cloudWatchJson = {
  exceptionName: (code: string) => EXCEPTION_NAMES[code] ?? code,
  encode(value: unknown): unknown {
    if (value instanceof Date) return value.getTime() / 1000;
    if (Array.isArray(value)) return value.map((v) => cloudWatchJson.encode(v));
    if (value && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = cloudWatchJson.encode(v);
      return out;
    }
    return value;
  },
};
