/**
 * The ELBv2 adapter and a listener's default rule: AWS says "To modify the actions for the default
 * rule, use ModifyListener" (API_ModifyRule), so a default rule is read as its listener and written
 * with ModifyListener; any other rule is written with ModifyRule, every other action kept as read.
 */
import {
  type Action,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { ElbV2Adapter } from "../../src/adapters/aws/elbv2";
import { BLUE_ARN, DEFAULT_RULE_ARN, GREEN_ARN, LISTENER_ARN, RULE_ARN } from "../support/fake-elb";

const mock = mockClient(ElasticLoadBalancingV2Client);
const client = new ElasticLoadBalancingV2Client({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });

afterEach(() => mock.reset());

const oidc: Action = {
  Type: "authenticate-oidc",
  Order: 1,
  AuthenticateOidcConfig: { Issuer: "https://idp.example.com", AuthorizationEndpoint: "https://idp.example.com/a", TokenEndpoint: "https://idp.example.com/t", UserInfoEndpoint: "https://idp.example.com/u", ClientId: "web" },
};
const forward: Action = {
  Type: "forward",
  Order: 2,
  ForwardConfig: {
    TargetGroups: [
      { TargetGroupArn: BLUE_ARN, Weight: 1 },
      { TargetGroupArn: GREEN_ARN, Weight: 0 },
    ],
    TargetGroupStickinessConfig: { Enabled: false },
  },
};

const newWeights = [
  { targetGroupArn: BLUE_ARN, weight: 900 },
  { targetGroupArn: GREEN_ARN, weight: 100 },
];
const written: Action[] = [
  { ...oidc, AuthenticateOidcConfig: { ...oidc.AuthenticateOidcConfig!, UseExistingClientSecret: true } },
  {
    Type: "forward",
    Order: 2,
    TargetGroupArn: undefined,
    ForwardConfig: {
      TargetGroups: [
        { TargetGroupArn: BLUE_ARN, Weight: 900 },
        { TargetGroupArn: GREEN_ARN, Weight: 100 },
      ],
      TargetGroupStickinessConfig: { Enabled: false },
    },
  },
];

describe("ElbV2Adapter and the default rule", () => {
  it("reads a default rule as its listener and writes it with ModifyListener, keeping the other actions", async () => {
    mock.on(DescribeRulesCommand).resolves({ Rules: [{ RuleArn: DEFAULT_RULE_ARN, Priority: "default", IsDefault: true, Conditions: [], Actions: [oidc, forward] }] });
    mock.on(ModifyListenerCommand).resolves({});
    const adapter = new ElbV2Adapter(async () => client);

    const state = await adapter.read({ kind: "rule", arn: DEFAULT_RULE_ARN });
    expect(state.ref).toEqual({ kind: "listener", arn: LISTENER_ARN });
    expect(state.listenerArn).toBe(LISTENER_ARN);
    expect(state.groups.map((g) => g.weight)).toEqual([1, 0]);

    // Written through the ref the read returned, or through the rule's own ARN: both go to the listener.
    await adapter.setWeights(state.ref, newWeights);
    await adapter.setWeights({ kind: "rule", arn: DEFAULT_RULE_ARN }, newWeights);
    expect(mock.commandCalls(ModifyRuleCommand)).toHaveLength(0);
    const calls = mock.commandCalls(ModifyListenerCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { ListenerArn: LISTENER_ARN, DefaultActions: written },
      { ListenerArn: LISTENER_ARN, DefaultActions: written },
    ]);
  });

  it("writes any other rule with ModifyRule, as before", async () => {
    mock.on(DescribeRulesCommand).resolves({ Rules: [{ RuleArn: RULE_ARN, Priority: "10", IsDefault: false, Conditions: [{ Field: "path-pattern", Values: ["/api/*"] }], Actions: [oidc, forward] }] });
    mock.on(ModifyRuleCommand).resolves({});
    const adapter = new ElbV2Adapter(async () => client);

    const state = await adapter.read({ kind: "rule", arn: RULE_ARN });
    expect(state.ref).toEqual({ kind: "rule", arn: RULE_ARN });
    await adapter.setWeights(state.ref, newWeights);
    expect(mock.commandCalls(ModifyListenerCommand)).toHaveLength(0);
    expect(mock.commandCalls(ModifyRuleCommand).map((c) => c.args[0].input)).toEqual([{ RuleArn: RULE_ARN, Actions: written }]);
  });
});
