/** Loads the canary configuration and providers for the entries that analyse (imported lazily). */
import { readFile } from "node:fs/promises";
import type { Ports } from "../adapters/aws/factory";
import { analyzeCanary } from "./analyze";
import { type CanaryConfig, loadCanaryConfigFile, parseCanaryConfig } from "../adapters/metrics/config";
import { createProviders } from "../adapters/metrics/providers";
import type { ProviderSet } from "../adapters/metrics/provider";
import type { ActionIO } from "../adapters/github/io";

export { analyzeCanary };

/** `signal` (the step's) stops provider requests in flight when the step is stopped. */
export async function loadAnalysis(
  inline: string | undefined,
  file: string | undefined,
  ports: Ports,
  io: ActionIO,
  inputName: string,
  signal?: AbortSignal,
): Promise<{ config: CanaryConfig; providers: ProviderSet }> {
  // Secrets are masked as they are found, before the text is parsed: no error can print them.
  const mask = (secret: string) => io.setSecret(secret);
  const config = inline ? parseCanaryConfig(inline, `input ${inputName}`, mask) : file ? await loadCanaryConfigFile(file, (p) => readFile(p, "utf8"), mask) : parseCanaryConfig("", "defaults");
  return { config, providers: createProviders({ clients: ports.clients, settings: config.providers, signal }) };
}
