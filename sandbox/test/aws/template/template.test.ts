/** The sandbox's CloudFormation template loader: the construct's template, the intrinsics, and what it refuses. */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseConfig, RELEASE_IMAGES } from "../../../aws/config";
import { parseTemplate } from "../../../aws/template/parse";
import { templateEnvironment } from "../../../aws/template/to-config";

const ROOT = resolve(import.meta.dirname, "..", "..", "..", "..");
const TEMPLATE = join(ROOT, "infra", "cloudformation", "blue-green.template.json");
const committed = () => parseTemplate(readFileSync(TEMPLATE, "utf8"), TEMPLATE);

describe("sandbox environment from a CloudFormation template", () => {
  it("builds the construct's template: listener forwarding blue 1 / green 0, both slots tagged, alarms per slot, IAM and security groups reported", () => {
    const env = templateEnvironment(committed(), { parameters: { Name: "shop", Environment: "staging", DeregistrationDelaySeconds: "7" } });
    const config = parseConfig(env.config);
    expect(config.loadBalancers.map((l) => l.name)).toEqual(["shop"]);
    expect(config.loadBalancers[0]!.listeners[0]!.defaultAction).toMatchObject({ type: "forward", targetGroups: [{ name: "shop-blue", weight: 1 }, { name: "shop-green", weight: 0 }] });
    expect(config.targetGroups.map((t) => [t.name, t.deregistrationDelaySeconds, t.healthCheck.path, t.tags["deploy:slot"], t.tags.environment])).toEqual([
      ["shop-blue", 7, "/health", "blue", "staging"],
      ["shop-green", 7, "/health", "green", "staging"],
    ]);
    expect(config.autoScalingGroups.map((g) => [g.name, g.desiredCapacity, g.launchTemplate.version, g.targetGroups])).toEqual([
      ["shop-blue", 2, "1", ["shop-blue"]],
      ["shop-green", 0, "1", ["shop-green"]],
    ]);
    expect(config.launchTemplates[0]!.versions[0]!.imageId).toBe(RELEASE_IMAGES.v1);
    expect(config.alarms.map((a) => [a.alarmName, a.targetGroup, a.loadBalancer, a.statistic])).toContainEqual(["shop-green-latency-p99", "shop-green", "shop", "p99"]);
    // No GitHubRepository: the role and provider's condition is false, so only the security groups remain unmodelled.
    expect(env.notModelled).toEqual(["LoadBalancerSecurityGroup", "InstanceSecurityGroup"]);
    expect(templateEnvironment(committed(), { parameters: { GitHubRepository: "acme/shop" } }).notModelled).toEqual(["LoadBalancerSecurityGroup", "InstanceSecurityGroup", "GitHubOidcProvider", "DeployRole"]);
  });

  it("resolves YAML short forms: Sub, Join, Select, If, conditions and parameter defaults", () => {
    const yaml = `
Parameters:
  Prefix: { Type: String, Default: api }
  Weights: { Type: CommaDelimitedList, Default: "3,1" }
  Cert: { Type: String, Default: "" }
Conditions:
  Https: !Not [!Equals [!Ref Cert, ""]]
  Plain: !And [!Not [!Condition Https], !Equals [!Ref Prefix, api]]
Resources:
  Lb: { Type: AWS::ElasticLoadBalancingV2::LoadBalancer, Properties: { Name: !Sub "\${Prefix}-lb" } }
  A: { Type: AWS::ElasticLoadBalancingV2::TargetGroup, Properties: { Name: !Join ["-", [!Ref Prefix, a]], HealthCheckPath: !If [Plain, /plain, /tls] } }
  B: { Type: AWS::ElasticLoadBalancingV2::TargetGroup, Properties: { Name: !Sub ["\${P}-b", { P: !Ref Prefix }] } }
  Tls: { Type: AWS::ElasticLoadBalancingV2::TargetGroup, Condition: Https, Properties: { Name: tls } }
  L:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: !If [Https, 443, 80]
      Protocol: !If [Https, HTTPS, HTTP]
      DefaultActions:
        - Type: forward
          ForwardConfig:
            TargetGroups:
              - { TargetGroupArn: !Ref A, Weight: !Select [0, !Ref Weights] }
              - { TargetGroupArn: !GetAtt B.TargetGroupArn, Weight: !Select [1, !Ref Weights] }
`;
    const config = parseConfig(templateEnvironment(parseTemplate(yaml, "t.yaml")).config);
    expect(config.targetGroups.map((t) => [t.name, t.healthCheck.path])).toEqual([["api-a", "/plain"], ["api-b", "/"]]);
    expect(config.loadBalancers[0]).toMatchObject({ name: "api-lb", listeners: [{ port: 80, defaultAction: { targetGroups: [{ name: "api-a", weight: 3 }, { name: "api-b", weight: 1 }] } }] });
  });

  it("refuses a resource type it does not model, naming the logical id and the type", () => {
    const template = committed();
    template.Resources!.Cache = { Type: "AWS::ElastiCache::CacheCluster", Properties: {} };
    expect(() => templateEnvironment(template)).toThrow(/Resources\.Cache: resource type AWS::ElastiCache::CacheCluster is not supported by the sandbox; supported: AWS::ElasticLoadBalancingV2::LoadBalancer/);
  });

  it("refuses a property it does not model, naming the logical id and the property, and an HTTPS listener", () => {
    const template = committed();
    template.Resources!.BlueTargetGroup!.Properties!.ProtocolVersion = "GRPC";
    expect(() => templateEnvironment(template)).toThrow("Resources.BlueTargetGroup: property ProtocolVersion of AWS::ElasticLoadBalancingV2::TargetGroup is not supported by the sandbox");
    expect(() => templateEnvironment(committed(), { parameters: { CertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x" } })).toThrow("Resources.Listener.Properties.Protocol: the sandbox's listeners serve HTTP only");
    expect(() => templateEnvironment(committed(), { parameters: { Nmae: "x" } })).toThrow("parameter Nmae is not declared by the template");
  });

  it("npm run sandbox -- up --template with an unsupported resource exits 1 naming it, before starting anything", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zda-template-"));
    const file = join(dir, "t.json");
    writeFileSync(file, JSON.stringify({ Resources: { Queue: { Type: "AWS::SQS::Queue" } } }));
    const run = promisify(execFile)(process.execPath, ["--import", "tsx", join(ROOT, "sandbox", "cli", "sandbox.ts"), "up", "--template", file], { cwd: ROOT, timeout: 20_000 });
    const failure = (await run.then(() => undefined, (e: { code: number; stderr: string }) => e))!;
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain("sandbox: Resources.Queue: resource type AWS::SQS::Queue is not supported by the sandbox");
  });
});
