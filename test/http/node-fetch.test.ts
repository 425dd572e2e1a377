import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTlsServer, type Server as TlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createSecureContext, type SecureContext } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeFetch } from "../../src/util/node-fetch";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url));

let plain: Server;
let tls: TlsServer;
let plainUrl: string;
let tlsUrl: string;
const sniSeen: string[] = [];

beforeAll(async () => {
  plain = createServer((req, res) => {
    if (req.url === "/redirect") {
      res.writeHead(301, { location: "/elsewhere" });
      return res.end();
    }
    if (req.url === "/empty") {
      res.writeHead(204);
      return res.end();
    }
    res.writeHead(200, { "content-type": "application/json", "x-seen-host": req.headers.host ?? "" });
    res.end(JSON.stringify({ host: req.headers.host, auth: req.headers.authorization ?? null }));
  });
  const credentials = { key: fixture("app.example.com.key"), cert: fixture("app.example.com.crt") };
  const context = createSecureContext(credentials);
  const SNICallback = (servername: string, done: (error: Error | null, ctx: SecureContext) => void) => {
    sniSeen.push(servername);
    done(null, context);
  };
  tls = createTlsServer({ ...credentials, SNICallback }, (_req, res) => res.end("secure"));
  tls.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  tlsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
});

afterAll(async () => {
  plain.closeAllConnections();
  tls.closeAllConnections();
  await Promise.all([new Promise<void>((resolve) => plain.close(() => resolve())), new Promise<void>((resolve) => tls.close(() => resolve()))]);
});

describe("nodeFetch", () => {
  it("sends the Host header it is given, which the global fetch would replace", async () => {
    const response = await nodeFetch(`${plainUrl}/`, { headers: [["Host", "app.example.com"], ["Authorization", "Bearer t"]] });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-seen-host")).toBe("app.example.com");
    expect(await response.json()).toEqual({ host: "app.example.com", auth: "Bearer t" });
  });

  it("returns a redirect as it is, and a 204 with an empty body", async () => {
    const redirect = await nodeFetch(`${plainUrl}/redirect`, { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe("/elsewhere");
    const empty = await nodeFetch(`${plainUrl}/empty`, {});
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe("");
  });

  it("uses the Host header's name for TLS SNI and still verifies the certificate", async () => {
    sniSeen.length = 0;
    const error = await nodeFetch(`${tlsUrl}/`, { headers: [["Host", "app.example.com"]] }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
    expect(sniSeen).toEqual(["app.example.com"]);
  });

  it("rejects with the abort reason when the signal aborts, and refuses other schemes", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(nodeFetch(`${plainUrl}/`, { signal: controller.signal })).rejects.toThrow("stop");
    await expect(nodeFetch("file:///etc/hostname", {})).rejects.toThrow(/only http and https/);
  });
});
