/** The ports an environment is read through: the listener's routing, tags, target groups and the fleet. */
import type { Fleet } from "./fleet";
import type { ListenerDiscovery, ResourceTags, TargetGroups, TrafficRouter } from "./load-balancer";

export interface EnvironmentPorts {
  router: TrafficRouter;
  tags: ResourceTags;
  targetGroups: TargetGroups;
  discovery: ListenerDiscovery;
  fleet: () => Promise<Fleet>;
}
