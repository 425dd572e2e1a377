/** The AWS ports of a run: the SDK clients from the one factory, behind the narrow ports. Loaded with import() on first use. */
import { createAwsClients, retrySettings } from "../adapters/aws/clients";
import { createPorts, type Ports } from "../adapters/aws/factory";
import type { ActionIO } from "../adapters/github/io";

/** `signal` is read at every AWS call: aborting it stops the calls in flight (see ../cancellation). */
export function createAwsPorts(io: ActionIO, definitionName: string, region: string | undefined, signal?: () => AbortSignal): Ports {
  const clients = createAwsClients({
    region,
    ...retrySettings((name) => io.env(name)),
    userAgent: `zero-downtime-actions/${definitionName}`,
    signal,
  });
  return createPorts(clients);
}
