/** Encodes responses and errors for awsQuery (ELBv2, Auto Scaling, CloudWatch query) and ec2Query. */
import { XMLBuilder } from "fast-xml-parser";

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_" });

function toNode(value: unknown, item: string): unknown {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? "" : { [item]: value.map((v) => toNode(v, item) ?? "") };
  if (value instanceof Map) {
    if (value.size === 0) return "";
    return { entry: [...value].map(([key, v]) => ({ key: String(key), value: toNode(v, item) ?? "" })) };
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const node = toNode(v, item);
      if (node !== undefined) out[key] = node;
    }
    return Object.keys(out).length === 0 ? "" : out;
  }
  return String(value);
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** `<OpResponse xmlns><OpResult>…</OpResult><ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>` */
export function queryResponse(operation: string, namespace: string, result: unknown, requestId: string): string {
  const body: Record<string, unknown> = { "@_xmlns": namespace };
  body[`${operation}Result`] = result === undefined ? "" : toNode(result, "member") ?? "";
  body.ResponseMetadata = { RequestId: requestId };
  return DECLARATION + builder.build({ [`${operation}Response`]: body });
}

export function queryError(namespace: string, code: string, message: string, type: string, requestId: string): string {
  return (
    DECLARATION +
    builder.build({
      ErrorResponse: { "@_xmlns": namespace, Error: { Type: type, Code: code, Message: message }, RequestId: requestId },
    })
  );
}

/** EC2: no Result wrapper, lowerCamel element names (chosen by the handler), list items are `<item>`. */
export function ec2Response(operation: string, namespace: string, result: Record<string, unknown>, requestId: string): string {
  const node = (toNode(result, "item") || {}) as Record<string, unknown>;
  return DECLARATION + builder.build({ [`${operation}Response`]: { "@_xmlns": namespace, requestId, ...node } });
}

export function ec2Error(code: string, message: string, requestId: string): string {
  return DECLARATION + builder.build({ Response: { Errors: { Error: { Code: code, Message: message } }, RequestID: requestId } });
}
