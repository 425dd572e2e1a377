export { ExpressionError } from "./errors";
export { evaluateCondition, evaluateExpression, type ExpressionScope, type StatusSnapshot } from "./evaluate";
export { parseExpression, callsStatusFunction, type Node } from "./parser";
export { evaluateValue, hasExpression, interpolate } from "./template";
export { compare, looseEquals, toExpressionValue, toNumber, toText, truthy, type ExpressionValue } from "./values";
