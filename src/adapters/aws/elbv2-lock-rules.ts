/**
 * The SDK adapter of the deployment lock's listener rules (CreateRule, DescribeRules, AddTags,
 * DescribeTags, DeleteRule). PriorityInUse and RuleNotFound are answers here, not failures.
 */
import {
  AddTagsCommand,
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  type ElasticLoadBalancingV2Client,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { LOCK_RULE, type LockRule, type LockRules } from "../../ports/load-balancer";
import { awsErrorCode, wrapError } from "../../util/errors";

const PAGE_SIZE = 400;

function code(error: unknown): string {
  return (awsErrorCode(error) ?? "").replace(/Exception$/, "");
}

function isLockRule(rule: Rule): boolean {
  return (rule.Conditions ?? []).some((c) => c.Field === "http-header" && c.HttpHeaderConfig?.HttpHeaderName?.toLowerCase() === LOCK_RULE.header);
}

export class ElbV2LockRules implements LockRules {
  constructor(private readonly client: () => Promise<ElasticLoadBalancingV2Client>) {}

  async create(listenerArn: string, priority: number, token: string, tags: Record<string, string>): Promise<string | undefined> {
    const client = await this.client();
    try {
      const out = await client.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: priority,
          // No real request carries this header with this random value: the rule never routes traffic.
          Conditions: [{ Field: "http-header", HttpHeaderConfig: { HttpHeaderName: LOCK_RULE.header, Values: [token] } }],
          Actions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404", ContentType: "text/plain", MessageBody: "Not Found" } }],
          // An empty Tags list is refused (the model's minimum is one): leave it out instead.
          ...(Object.keys(tags).length ? { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
        }),
      );
      const arn = out.Rules?.[0]?.RuleArn;
      if (!arn) throw new Error("CreateRule answered without a rule ARN");
      return arn;
    } catch (error) {
      if (code(error) === "PriorityInUse") return undefined;
      if (code(error) === "TooManyRules") throw wrapError(`Creating the deployment lock rule on ${listenerArn} (the load balancer has as many rules as its quota allows; the lock needs one)`, error);
      throw wrapError(`Creating the deployment lock rule at priority ${priority} on ${listenerArn}`, error);
    }
  }

  async find(listenerArn: string, priority: number): Promise<LockRule | undefined> {
    const client = await this.client();
    try {
      let marker: string | undefined;
      let rule: Rule | undefined;
      do {
        const page = await client.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker, PageSize: PAGE_SIZE }));
        rule = page.Rules?.find((r) => !r.IsDefault && r.Priority === String(priority));
        marker = rule ? undefined : page.NextMarker;
      } while (marker);
      if (!rule?.RuleArn) return undefined;
      const described = await client.send(new DescribeTagsCommand({ ResourceArns: [rule.RuleArn] }));
      const tags = Object.fromEntries((described.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
      return { ruleArn: rule.RuleArn, priority, isLock: isLockRule(rule), tags };
    } catch (error) {
      // Deleted between the two reads: as if it was not there.
      if (code(error) === "RuleNotFound") return undefined;
      throw wrapError(`Reading the deployment lock rule at priority ${priority} on ${listenerArn}`, error);
    }
  }

  async tag(ruleArn: string, tags: Record<string, string>): Promise<boolean> {
    const client = await this.client();
    try {
      await client.send(new AddTagsCommand({ ResourceArns: [ruleArn], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
      return true;
    } catch (error) {
      if (code(error) === "RuleNotFound") return false;
      throw wrapError(`Renewing the deployment lock on ${ruleArn}`, error);
    }
  }

  async remove(ruleArn: string): Promise<boolean> {
    const client = await this.client();
    try {
      await client.send(new DeleteRuleCommand({ RuleArn: ruleArn }));
      return true;
    } catch (error) {
      if (code(error) === "RuleNotFound") return false;
      throw wrapError(`Deleting the deployment lock rule ${ruleArn}`, error);
    }
  }
}
