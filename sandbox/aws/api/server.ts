/**
 * The loopback AWS endpoint. Dispatches on Content-Type and the SigV4 credential scope:
 * awsQuery (ELBv2, Auto Scaling, CloudWatch's query form), ec2Query (EC2) and awsJson1_0 (CloudWatch).
 * Requests under /_sandbox/ go to the control API.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import type { World } from "../world/world";
import type { CallLog, CallRecord } from "./calls";
import { AwsError, notSupported } from "./errors";
import type { FaultInjector } from "./faults";
import type { ApiThrottle } from "./throttle";
import { hasConstraints, requestError, requestViolations } from "./model-validate";
import { decodeQuery } from "./query";
import type { ServiceDefinition } from "./service";
import { ec2Error, ec2Response, queryError, queryResponse } from "./xml";
import { cloudWatchJson } from "./cloudwatch-json";
import type { TagReadLag } from "./tag-lag";

export interface AwsServerOptions {
  world: World;
  services: ServiceDefinition[];
  calls: CallLog;
  faults: FaultInjector;
  /** Optional ELBv2 tag read lag (off when absent or 0). */
  tagLag?: TagReadLag;
  /** Per-account token buckets per API class (config apiThrottling). */
  throttle?: ApiThrottle;
  host?: string;
  port?: number;
  control: (req: IncomingMessage, res: ServerResponse, body: string) => Promise<void>;
}

export interface RunningAwsServer {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let buffer = Buffer.concat(chunks);
  if (/gzip/i.test(String(req.headers["content-encoding"] ?? ""))) buffer = gunzipSync(buffer);
  return buffer.toString("utf8");
}

function signingName(req: IncomingMessage): string | undefined {
  return /Credential=[^/,]+\/[0-9]{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ""))?.[1];
}

interface Parsed {
  service: ServiceDefinition | undefined;
  serviceName: string;
  operation: string;
  params: Record<string, unknown>;
  json: boolean;
}

function parseRequest(req: IncomingMessage, body: string, services: ServiceDefinition[]): Parsed {
  const type = String(req.headers["content-type"] ?? "");
  if (type.includes("application/x-amz-json-1.0")) {
    const target = String(req.headers["x-amz-target"] ?? "");
    const [prefix, operation = ""] = target.split(".");
    const service = prefix === "GraniteServiceVersion20100801" ? services.find((s) => s.signingName === "monitoring") : undefined;
    let params: unknown;
    try {
      params = body.trim() === "" ? {} : JSON.parse(body);
    } catch {
      throw Object.assign(new AwsError("SerializationException", "The request body is not valid JSON"), { parsed: { service, serviceName: service?.name ?? "Unknown", operation, params: {}, json: true } });
    }
    if (typeof params !== "object" || params === null || Array.isArray(params)) params = {};
    return { service, serviceName: service?.name ?? (prefix || "Unknown"), operation, params: params as Record<string, unknown>, json: true };
  }
  const params = decodeQuery(body);
  const operation = typeof params.Action === "string" ? params.Action : "";
  const version = typeof params.Version === "string" ? params.Version : "";
  const scope = signingName(req);
  const service = services.find((s) => s.signingName === scope) ?? services.find((s) => s.version === version);
  delete params.Action;
  delete params.Version;
  return { service, serviceName: service?.name ?? (scope || "Unknown"), operation, params, json: false };
}

/** The error an injected throttle or server error answers with, in the service's own codes. */
function faultError(decision: ReturnType<FaultInjector["decide"]>, ec2Protocol: boolean): AwsError | undefined {
  if (decision.kind === "throttle") {
    // EC2 calls its throttling error RequestLimitExceeded; the other services answer Throttling.
    return ec2Protocol ? new AwsError("RequestLimitExceeded", "Request limit exceeded.", 503) : new AwsError("Throttling", "Rate exceeded", 400);
  }
  if (decision.kind === "server-error") {
    return decision.status === 503
      ? new AwsError(ec2Protocol ? "Unavailable" : "ServiceUnavailable", "Service is unavailable. Please try again later.", 503)
      : new AwsError(ec2Protocol ? "InternalError" : "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", 500);
  }
  return undefined;
}

/** The call log's record of a request: what was asked, how it was answered, and how many model constraints it broke. */
function callRecord(parsed: Parsed, answer: { at: number; requestId: string; status: number; errorCode?: string | undefined; fault?: string | undefined }, found: readonly string[] | undefined): CallRecord {
  return {
    ...answer,
    service: parsed.serviceName,
    operation: parsed.operation || "Unknown",
    durationMs: Date.now() - answer.at,
    input: parsed.params,
    violations: found?.length,
  };
}

/** Runs `act`, and applies the tag read lag to ELBv2 AddTags/RemoveTags (history) and DescribeTags (view). */
async function withTagLag(lag: TagReadLag | undefined, world: World, service: string, parsed: Parsed, act: () => unknown): Promise<unknown> {
  if (!lag || lag.lagMs === 0 || service !== "ElasticLoadBalancingV2") return act();
  const tagsOf = (arn: string) => world.tags.get(arn);
  const arns = Array.isArray(parsed.params.ResourceArns) ? parsed.params.ResourceArns.filter((a): a is string => typeof a === "string") : [];
  const writes = parsed.operation === "AddTags" || parsed.operation === "RemoveTags";
  if (writes) lag.beforeWrite(arns, tagsOf);
  const result = await act();
  if (writes) lag.afterWrite(arns, tagsOf);
  if (parsed.operation === "DescribeTags" && result && typeof result === "object") {
    const out = result as { TagDescriptions?: { ResourceArn: string; Tags: { Key: string; Value: string }[] }[] };
    out.TagDescriptions = out.TagDescriptions?.map((d) => ({ ...d, Tags: lag.view(d.ResourceArn, d.Tags) }));
  }
  return result;
}

export async function startAwsServer(options: AwsServerOptions): Promise<RunningAwsServer> {
  const { world, calls, faults, services } = options;

  const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: string) => {
    res.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)) });
    res.end(body);
  };

  const sendError = (res: ServerResponse, parsed: Parsed, requestId: string, error: AwsError) => {
    const base = { "x-amzn-RequestId": requestId };
    if (parsed.json) {
      send(
        res,
        error.status,
        { ...base, "content-type": "application/x-amz-json-1.0", "x-amzn-query-error": `${error.code};${error.type}` },
        JSON.stringify({ __type: `com.amazonaws.cloudwatch#${cloudWatchJson.exceptionName(error.code)}`, message: error.message }),
      );
    } else if (parsed.service?.protocol === "ec2") {
      send(res, error.status, { ...base, "content-type": "text/xml;charset=UTF-8" }, ec2Error(error.code, error.message, requestId));
    } else {
      const namespace = parsed.service?.namespace ?? "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
      send(res, error.status, { ...base, "content-type": "text/xml" }, queryError(namespace, error.code, error.message, error.type, requestId));
    }
  };

  async function handleAws(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const started = Date.now();
    const requestId = world.uuid();
    let parsed: Parsed = { service: undefined, serviceName: "Unknown", operation: "", params: {}, json: false };
    const log = (status: number, errorCode?: string, fault?: string) => {
      const found = hasConstraints(parsed.serviceName, parsed.operation) ? requestViolations(parsed.serviceName, parsed.operation, parsed.params) : undefined;
      calls.add(callRecord(parsed, { at: started, requestId, status, errorCode, fault }, found), found);
    };
    try {
      parsed = parseRequest(req, body, services);
    } catch (error) {
      parsed = (error as { parsed?: Parsed }).parsed ?? parsed;
      const e = error instanceof AwsError ? error : new AwsError("InternalFailure", String(error), 500);
      sendError(res, parsed, requestId, e);
      log(e.status, e.code);
      return;
    }

    const decision = faults.decide(parsed.serviceName, parsed.operation);
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    const latencyFault = decision.spiked ? "latency-spike" : decision.delayMs > 0 ? "latency" : undefined;
    if (decision.kind === "connection-reset") {
      req.socket.destroy();
      log(0, undefined, "connection-reset");
      return;
    }
    const injected = faultError(decision, parsed.service?.protocol === "ec2");
    if (injected) {
      sendError(res, parsed, requestId, injected);
      log(injected.status, injected.code, decision.kind);
      return;
    }
    const throttled = options.throttle?.admit(parsed.serviceName, parsed.operation);
    if (throttled) {
      sendError(res, parsed, requestId, throttled);
      log(throttled.status, throttled.code, "throttled");
      return;
    }

    try {
      if (!parsed.operation) throw new AwsError("MissingAction", "The request must contain the parameter Action (or the x-amz-target header)");
      const service = parsed.service;
      if (!service) throw new AwsError("InvalidAction", `The sandbox does not recognize the service of this request (signing name '${signingName(req) ?? "none"}')`);
      const handler = Object.hasOwn(service.operations, parsed.operation) ? service.operations[parsed.operation] : undefined;
      if (!handler) throw notSupported(parsed.operation);
      // AWS validates the input against the operation's model before the operation acts.
      const invalid = requestError(service.name, parsed.operation, parsed.params);
      if (invalid) throw invalid;
      const result = await withTagLag(options.tagLag, world, service.name, parsed, () => handler(parsed.params, { world, requestId }));
      const headers = { "x-amzn-RequestId": requestId };
      if (parsed.json) {
        send(res, 200, { ...headers, "content-type": "application/x-amz-json-1.0" }, JSON.stringify(cloudWatchJson.encode(result ?? {})));
      } else if (service.protocol === "ec2") {
        send(res, 200, { ...headers, "content-type": "text/xml;charset=UTF-8" }, ec2Response(parsed.operation, service.namespace, (result ?? {}) as Record<string, unknown>, requestId));
      } else {
        send(res, 200, { ...headers, "content-type": "text/xml" }, queryResponse(parsed.operation, service.namespace, result, requestId));
      }
      log(200, undefined, latencyFault);
    } catch (error) {
      const e = error instanceof AwsError ? error : new AwsError("InternalFailure", error instanceof Error ? error.message : String(error), 500);
      sendError(res, parsed, requestId, e);
      log(e.status, e.code, latencyFault);
    }
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        if ((req.url ?? "/").startsWith("/_sandbox/") || req.url === "/_sandbox") await options.control(req, res, body);
        else await handleAws(req, res, body);
      } catch (error) {
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(error instanceof Error ? error.message : String(error));
        } else res.destroy();
      }
    })();
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
