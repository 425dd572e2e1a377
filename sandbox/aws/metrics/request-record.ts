import type { RequestRecord } from "../contracts";

/**
 * A request record as the listener writes it. `elbStatus` is set when the load balancer answered
 * itself instead of relaying a target's response: 502 (connection to the target failed), 503 (no
 * group with weight or no routable target) or 504 (the target did not answer within the idle timeout).
 * It is an optional extension of the contract's RequestRecord, so any MetricsStore accepts it.
 */
export interface ListenerRequestRecord extends RequestRecord {
  elbStatus?: 502 | 503 | 504 | 500;
}
