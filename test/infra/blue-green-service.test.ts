/**
 * The CDK construct, offline and without credentials: its resources, tags, health checks, the deploy
 * role's policy (docs/iam/combined.json, read at synth), and that a synthesis while green is live or
 * mid-canary leaves the weights as they are. Two syntheses in all (each takes seconds).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { BlueGreenService, type BlueGreenServiceProps } from "../../infra/cdk/blue-green-service";
import { renderTemplate, TEMPLATE_FILE } from "../../infra/cdk/synth";

const ROOT = resolve(import.meta.dirname, "..", "..");
const combined = JSON.parse(readFileSync(resolve(ROOT, "docs/iam/combined.json"), "utf8"));

const props: BlueGreenServiceProps = {
  name: "shop",
  environmentTags: { environment: "production", service: "shop" },
  vpc: { vpcId: "vpc-0a1b2c3d4e5f60718", availabilityZones: ["eu-west-1a", "eu-west-1b"], loadBalancerSubnetIds: ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60712"], instanceSubnetIds: ["subnet-0a1b2c3d4e5f60713", "subnet-0a1b2c3d4e5f60714"] },
  imageId: "ami-0123456789abcdef0",
  stickinessSeconds: 300,
  github: { repository: "acme/shop", environment: "production" },
};

/**
 * A synthesis as a deploy would run it, given what is live at the time: the construct has no input
 * for it, so `live` can only reach the template through the app's context, which it must ignore.
 */
function synth(live: Record<string, unknown>): Template {
  const app = new App({ context: { live } });
  const stack = new Stack(app, "Shop", { env: { account: "111111111111", region: "eu-west-1" } });
  new BlueGreenService(stack, "Service", props);
  return Template.fromStack(stack);
}

describe("BlueGreenService", () => {
  let first: Template;
  beforeAll(() => {
    first = synth({ blue: { weight: 1, role: "stable" }, green: { weight: 0 } });
  });

  it("creates the ALB, a listener forwarding blue 1 / green 0 with stickiness, two target groups, launch templates and groups", () => {
    first.resourceCountIs("AWS::ElasticLoadBalancingV2::LoadBalancer", 1);
    first.resourceCountIs("AWS::ElasticLoadBalancingV2::TargetGroup", 2);
    first.resourceCountIs("AWS::EC2::LaunchTemplate", 2);
    first.resourceCountIs("AWS::AutoScaling::AutoScalingGroup", 2);
    first.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      Port: 80,
      Protocol: "HTTP",
      DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: { Ref: "BlueTargetGroup" }, Weight: 1 }, { TargetGroupArn: { Ref: "GreenTargetGroup" }, Weight: 0 }], TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 } } }],
    });
  });

  it("tags each target group and Auto Scaling group with its slot and the environment tags, and health-checks /health every 5 s", () => {
    for (const slot of ["blue", "green"]) {
      first.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
        Name: `shop-${slot}`,
        HealthCheckPath: "/health",
        HealthCheckIntervalSeconds: 5,
        HealthCheckTimeoutSeconds: 4,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
        Matcher: { HttpCode: "200" },
        TargetGroupAttributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "30" }],
        Tags: Match.arrayWith([{ Key: "deploy:slot", Value: slot }, { Key: "environment", Value: "production" }, { Key: "service", Value: "shop" }]),
      });
      first.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", {
        AutoScalingGroupName: `shop-${slot}`,
        MinSize: "0",
        DesiredCapacity: slot === "blue" ? "2" : "0",
        LaunchTemplate: { LaunchTemplateId: { Ref: `${slot === "blue" ? "Blue" : "Green"}LaunchTemplate` }, Version: { "Fn::GetAtt": [`${slot === "blue" ? "Blue" : "Green"}LaunchTemplate`, "LatestVersionNumber"] } },
        Tags: Match.arrayWith([{ Key: "deploy:slot", PropagateAtLaunch: true, Value: slot }, { Key: "environment", PropagateAtLaunch: true, Value: "production" }]),
      });
      first.hasResourceProperties("AWS::CloudWatch::Alarm", { AlarmName: `shop-${slot}-target-5xx`, MetricName: "HTTPCode_Target_5XX_Count" });
      first.hasResourceProperties("AWS::CloudWatch::Alarm", { AlarmName: `shop-${slot}-latency-p99`, ExtendedStatistic: "p99" });
    }
  });

  it("grants the deploy role exactly docs/iam/combined.json, trusting one repository's one environment", () => {
    const roles = first.findResources("AWS::IAM::Role");
    expect(Object.keys(roles)).toEqual(["DeployRole"]);
    const role = roles.DeployRole!.Properties;
    expect(role.Policies).toEqual([{ PolicyName: "zero-downtime-deploy", PolicyDocument: combined }]);
    expect(role.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals).toEqual({
      "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
      "token.actions.githubusercontent.com:sub": "repo:acme/shop:environment:production",
    });
    first.resourceCountIs("AWS::IAM::OIDCProvider", 1);
    for (const output of ["ListenerArn", "BlueTargetGroupName", "GreenTargetGroupName", "BlueAutoScalingGroupName", "GreenAutoScalingGroupName", "DeployRoleArn"]) first.hasOutput(output, {});
  });

  it("synthesized while green is live mid-canary, the template is the same: CloudFormation has nothing to send to the listener", () => {
    const midCanary = synth({ blue: { weight: 900, role: "previous" }, green: { weight: 99, role: "stable" }, canary: "10%" });
    expect(midCanary.toJSON()).toEqual(first.toJSON());
    const listener = Object.values(midCanary.findResources("AWS::ElasticLoadBalancingV2::Listener"))[0]!;
    expect(listener.Properties.DefaultActions[0].ForwardConfig.TargetGroups.map((g: { Weight: number }) => g.Weight)).toEqual([1, 0]);
  });

  it("on an existing listener: a rule forwarding blue 1 / green 0 at the given priority, no load balancer, the rule's ARN as output", () => {
    const app = new App();
    const stack = new Stack(app, "Api", { env: { account: "111111111111", region: "eu-west-1" } });
    const { github: _none, ...rest } = props;
    new BlueGreenService(stack, "Service", {
      ...rest,
      existingListener: { listenerArn: "arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/edge/0123456789abcdef/0123456789abcdef", priority: 10, pathPatterns: ["/api/*"], loadBalancerSecurityGroupId: "sg-0a1b2c3d4e5f60718", loadBalancerFullName: "app/edge/0123456789abcdef" },
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs("AWS::ElasticLoadBalancingV2::LoadBalancer", 0);
    t.resourceCountIs("AWS::ElasticLoadBalancingV2::Listener", 0);
    t.resourceCountIs("AWS::IAM::Role", 0);
    t.hasResourceProperties("AWS::ElasticLoadBalancingV2::ListenerRule", {
      Priority: 10,
      Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/api/*"] } }],
      Actions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: { Ref: "BlueTargetGroup" }, Weight: 1 }, { TargetGroupArn: { Ref: "GreenTargetGroup" }, Weight: 0 }] } }],
    });
    t.hasOutput("RuleArn", { Value: { Ref: "EnvironmentRule" } });
  });

  it("the stack policy guards resources the template has: the listener, the groups, the target groups, the load balancer", () => {
    const policy = JSON.parse(readFileSync(resolve(ROOT, "infra/cloudformation/stack-policy.json"), "utf8")) as { Statement: { Effect: string; Resource: string | string[] }[] };
    const guarded = policy.Statement.filter((s) => s.Effect === "Deny").flatMap((s) => [s.Resource].flat()).map((r) => r.replace("LogicalResourceId/", ""));
    const resources = Object.keys(first.toJSON().Resources);
    expect(guarded.filter((id) => id !== "EnvironmentRule").every((id) => resources.includes(id))).toBe(true);
    expect(guarded).toEqual(expect.arrayContaining(["Listener", "EnvironmentRule", "BlueAutoScalingGroup", "GreenAutoScalingGroup", "BlueTargetGroup", "GreenTargetGroup", "LoadBalancer"]));
  });

  it("the committed CloudFormation template is what npm run synth writes now", () => {
    const fresh = renderTemplate();
    expect(readFileSync(TEMPLATE_FILE, "utf8"), "infra/cloudformation/blue-green.template.json is stale: run npm run synth").toBe(fresh);
  });
});
