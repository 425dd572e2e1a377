/**
 * The stack behind infra/cloudformation/blue-green.template.json: BlueGreenService with its settings
 * as CloudFormation parameters, for teams that deploy the template without CDK. The deploy role is
 * created when GitHubRepository is given, and the OIDC provider unless OidcProviderArn names one.
 */
import { App, CfnCondition, CfnOutput, CfnParameter, DefaultStackSynthesizer, Fn, Stack } from "aws-cdk-lib";
import { BlueGreenService } from "./blue-green-service";

export const TEMPLATE_DESCRIPTION = "Blue/green environment for the zero-downtime deployment actions: ALB listener, two target groups and Auto Scaling groups, alarms, GitHub OIDC deploy role";

export function templateStack(): Stack {
  const app = new App({ analyticsReporting: false, context: { "aws:cdk:enable-path-metadata": false } });
  const stack = new Stack(app, "BlueGreen", {
    description: TEMPLATE_DESCRIPTION,
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
  });
  const p = (id: string, props: ConstructorParameters<typeof CfnParameter>[2]) => new CfnParameter(stack, id, props);
  const name = p("Name", { type: "String", default: "web", allowedPattern: "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,24}[A-Za-z0-9])?$", description: "Prefix of every name (1-26 letters, digits, hyphens: <name>-green must fit ALB's 32)" });
  const environment = p("Environment", { type: "String", default: "production", description: "The environment tag's value (with service=<Name>: what environment-tags matches)" });
  const vpcId = p("VpcId", { type: "AWS::EC2::VPC::Id" });
  const lbSubnets = p("LoadBalancerSubnetIds", { type: "List<AWS::EC2::Subnet::Id>", description: "Public subnets in at least two Availability Zones" });
  const instanceSubnets = p("InstanceSubnetIds", { type: "List<AWS::EC2::Subnet::Id>" });
  const imageId = p("ImageId", { type: "AWS::EC2::Image::Id", description: "The first release only: later releases come from deploy-green" });
  const instanceType = p("InstanceType", { type: "String", default: "t3.micro" });
  const desired = p("DesiredCapacity", { type: "Number", default: 2, minValue: 1, description: "Blue's instances at creation (green starts with none)" });
  const maxSize = p("MaxSize", { type: "Number", default: 10, minValue: 1 });
  const cert = p("CertificateArn", { type: "String", default: "", description: "An ACM certificate: HTTPS on 443; empty: HTTP on 80" });
  const healthPath = p("HealthCheckPath", { type: "String", default: "/health" });
  const delay = p("DeregistrationDelaySeconds", { type: "Number", default: 30, minValue: 0, maxValue: 3600 });
  const threshold = p("Target5xxThreshold", { type: "Number", default: 5, minValue: 0, description: "5xx answers per minute of one slot that set its alarm off" });
  const repo = p("GitHubRepository", { type: "String", default: "", allowedPattern: "^$|^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", description: "owner/name whose workflows may assume the deploy role; empty: no role" });
  const ghEnv = p("GitHubEnvironment", { type: "String", default: "production", description: "The GitHub environment the deploying jobs run in" });
  const oidc = p("OidcProviderArn", { type: "String", default: "", description: "An existing token.actions.githubusercontent.com provider; empty: one is created" });

  const https = new CfnCondition(stack, "UseHttps", { expression: Fn.conditionNot(Fn.conditionEquals(cert.valueAsString, "")) });
  const withRole = new CfnCondition(stack, "CreateDeployRole", { expression: Fn.conditionNot(Fn.conditionEquals(repo.valueAsString, "")) });
  const newProvider = new CfnCondition(stack, "CreateOidcProvider", { expression: Fn.conditionAnd(withRole, Fn.conditionEquals(oidc.valueAsString, "")) });

  const service = new BlueGreenService(stack, "Service", {
    name: name.valueAsString,
    environmentTags: { environment: environment.valueAsString, service: name.valueAsString },
    vpc: { vpcId: vpcId.valueAsString, availabilityZones: Fn.getAzs(), loadBalancerSubnetIds: lbSubnets.valueAsList, instanceSubnetIds: instanceSubnets.valueAsList },
    healthCheck: { path: healthPath.valueAsString },
    deregistrationDelaySeconds: delay.valueAsNumber,
    imageId: imageId.valueAsString,
    instanceType: instanceType.valueAsString,
    desiredCapacity: desired.valueAsNumber,
    maxSize: maxSize.valueAsNumber,
    alarms: { target5xxThreshold: threshold.valueAsNumber },
    github: { repository: repo.valueAsString, environment: ghEnv.valueAsString, oidcProviderArn: oidc.valueAsString, createProviderWhen: newProvider },
  });
  httpsWhenCertified(service, https, cert.valueAsString);
  service.deployRole!.role.cfnOptions.condition = withRole;
  (stack.node.findChild("DeployRoleArn") as CfnOutput).condition = withRole;
  return stack;
}

/** The listener: HTTP on 80, or HTTPS on 443 with the certificate, decided at deploy time. */
function httpsWhenCertified(service: BlueGreenService, https: CfnCondition, cert: string): void {
  const listener = service.forward as import("aws-cdk-lib/aws-elasticloadbalancingv2").CfnListener;
  listener.port = Fn.conditionIf(https.logicalId, 443, 80) as unknown as number;
  listener.protocol = Fn.conditionIf(https.logicalId, "HTTPS", "HTTP").toString();
  listener.certificates = Fn.conditionIf(https.logicalId, [{ CertificateArn: cert }], Fn.ref("AWS::NoValue")) as never;
  listener.sslPolicy = Fn.conditionIf(https.logicalId, "ELBSecurityPolicy-TLS13-1-2-2021-06", Fn.ref("AWS::NoValue")).toString();
  const sg = service.node.findChild("LoadBalancerSecurityGroup") as import("aws-cdk-lib/aws-ec2").CfnSecurityGroup;
  const port = Fn.conditionIf(https.logicalId, 443, 80) as unknown as number;
  sg.securityGroupIngress = [{ ipProtocol: "tcp", fromPort: port, toPort: port, cidrIp: "0.0.0.0/0", description: "clients" }];
}

/** The template as CloudFormation reads it. */
export function synthTemplate(): Record<string, unknown> {
  const stack = templateStack();
  const assembly = (stack.node.root as App).synth();
  return assembly.getStackByName(stack.stackName).template as Record<string, unknown>;
}
