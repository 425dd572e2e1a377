/** The AWS ports of a run: the SDK clients from the one factory, behind the narrow ports. Loaded with import() on first use. */
import { createAwsClients } from "../adapters/aws/clients";
import { createPorts, type Ports } from "../adapters/aws/factory";
import type { ActionIO } from "../adapters/github/io";

/** `signal` is read at every AWS call: aborting it stops the calls in flight (see ../cancellation). */
export function createAwsPorts(io: ActionIO, definitionName: string, region: string | undefined, signal?: () => AbortSignal): Ports {
  const attempts = Number(io.env("AWS_MAX_ATTEMPTS") ?? "");
  const clients = createAwsClients({
    region,
    retryMode: io.env("AWS_RETRY_MODE") === "standard" ? "standard" : "adaptive",
    maxAttempts: Number.isInteger(attempts) && attempts > 0 ? attempts : 8,
    userAgent: `zero-downtime-actions/${definitionName}`,
    signal,
  });
  return createPorts(clients);
}
