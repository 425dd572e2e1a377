/**
 * A fetch-shaped request over node:http and node:https that sends the Host header it is given.
 *
 * Node's global fetch silently replaces a Host header with the URL's host, so a check of
 * `http://<load balancer DNS name>/health` with `Host: app.example.com` would never reach the
 * host-routed rule it means to test. This transport sends the headers as given, uses the Host
 * header's name for TLS SNI and certificate checks, never follows redirects (a 3xx is returned
 * like any other status), opens a fresh connection per request (no pooled sockets are left
 * behind) and streams the body, so the caller decides how much of it to read. The metric providers
 * use it too: no redirect can carry their API keys elsewhere, and no fetch machinery is loaded.
 */
import { type IncomingMessage, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";

export interface FetchInit {
  method?: string;
  headers?: [string, string][];
  /** A request body (sent with its content-length), for POST. */
  body?: string;
  redirect?: "manual";
  signal?: AbortSignal;
}

/** The part of `fetch` the checks use; `globalThis.fetch` fits it too. */
export type Fetch = (url: string, init: FetchInit) => Promise<Response>;

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

function toHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      // A header the Fetch API cannot represent; it plays no part in a health check.
    }
  }
  return headers;
}

export const nodeFetch: Fetch = (url, init) =>
  new Promise<Response>((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      reject(new TypeError(`only http and https URLs can be fetched, not ${target.protocol}`));
      return;
    }
    const { signal } = init;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of init.headers ?? []) {
      const key = name.toLowerCase();
      headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    }
    const method = init.method ?? "GET";
    const body = init.body === undefined ? undefined : Buffer.from(init.body, "utf8");
    if (body) headers["content-length"] = String(body.length);
    const secure = target.protocol === "https:";
    const serverName = secure && headers.host ? headers.host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "") : undefined;
    let response: IncomingMessage | undefined;
    const onAbort = () => {
      request.destroy(signal?.reason);
      response?.destroy(signal?.reason);
    };
    const cleanUp = () => signal?.removeEventListener("abort", onAbort);
    const request = (secure ? httpsRequest : httpRequest)(
      target,
      { method, headers, agent: false, ...(serverName ? { servername: serverName } : {}) },
      (res) => {
        response = res;
        res.once("close", cleanUp);
        const status = res.statusCode ?? 0;
        const nullBody = NULL_BODY_STATUS.has(status) || method === "HEAD";
        if (nullBody) {
          res.on("error", () => undefined);
          res.resume();
        }
        try {
          const body = nullBody ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
          resolve(new Response(body, { status, statusText: res.statusMessage ?? "", headers: toHeaders(res.rawHeaders) }));
        } catch (error) {
          res.destroy();
          reject(error);
        }
      },
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    request.on("error", (error) => {
      cleanUp();
      reject(error);
    });
    request.end(body);
  });
