/** An AWS API error as the wire protocols carry it: a code, an HTTP status and a message. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly type: "Sender" | "Receiver" = status >= 500 ? "Receiver" : "Sender",
  ) {
    super(message);
    this.name = code;
  }
}

export function validationError(message: string): AwsError {
  return new AwsError("ValidationError", message, 400);
}

export function notSupported(operation: string): AwsError {
  return new AwsError("InvalidAction", `Operation ${operation} is not supported by the sandbox`, 400);
}
