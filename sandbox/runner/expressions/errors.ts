/** An expression that cannot be parsed or evaluated; the message quotes the expression. */
export class ExpressionError extends Error {
  override readonly name = "ExpressionError";
  constructor(
    detail: string,
    readonly expression: string,
  ) {
    super(`${detail} in expression: ${expression}`);
  }
}
