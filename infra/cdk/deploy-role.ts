/**
 * The GitHub OpenID Connect provider (created, or an existing one imported) and the deploy role the
 * workflows assume. The trust policy pins one repository and one GitHub environment; the permissions
 * are the combined policy of docs/iam/combined.json, read when the stack is synthesized, so the role
 * grants exactly what docs/IAM.md documents and the IAM test checks.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CfnCondition, Fn, type ICfnConditionExpression } from "aws-cdk-lib";
import { CfnOIDCProvider, CfnRole } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";

export const COMBINED_POLICY_FILE = resolve(import.meta.dirname, "..", "..", "docs", "iam", "combined.json");

/** The combined least-privilege policy of the five actions, as docs/iam/combined.json has it now. */
export function combinedPolicy(file = COMBINED_POLICY_FILE): { Version: string; Statement: unknown[] } {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { Version?: unknown; Statement?: unknown };
  if (parsed.Version !== "2012-10-17" || !Array.isArray(parsed.Statement) || parsed.Statement.length === 0) {
    throw new Error(`${file} is not an IAM policy document (Version 2012-10-17 and a list of statements)`);
  }
  return { Version: parsed.Version, Statement: parsed.Statement };
}

export interface DeployRoleProps {
  /** `owner/name` of the repository whose workflows may assume the role. */
  repository: string;
  /** The GitHub environment the deploying job runs in (its `environment:`), e.g. production. */
  environment: string;
  /** An existing GitHub OIDC provider's ARN; empty or absent: the stack creates one. */
  oidcProviderArn?: string;
  /** A condition under which a provider is created (for templates that decide at deploy time). */
  createProviderWhen?: CfnCondition;
  roleName?: string;
}

const GITHUB_ISSUER = "token.actions.githubusercontent.com";

export class DeployRole extends Construct {
  readonly roleArn: string;
  readonly provider: CfnOIDCProvider | undefined;

  constructor(scope: Construct, id: string, props: DeployRoleProps) {
    super(scope, id);
    const create = props.createProviderWhen !== undefined || !props.oidcProviderArn;
    if (create) {
      // GitHub's OIDC issuer; IAM no longer needs thumbprints for it, so none are pinned here.
      this.provider = new CfnOIDCProvider(this, "GitHubOidcProvider", { url: `https://${GITHUB_ISSUER}`, clientIdList: ["sts.amazonaws.com"] });
      this.provider.overrideLogicalId("GitHubOidcProvider");
      if (props.createProviderWhen) this.provider.cfnOptions.condition = props.createProviderWhen;
    }
    const created = this.provider?.attrArn;
    const providerArn: string = props.createProviderWhen
      ? (Fn.conditionIf(props.createProviderWhen.logicalId, created!, props.oidcProviderArn ?? "") as ICfnConditionExpression).toString()
      : (props.oidcProviderArn || created!);
    const role = new CfnRole(this, "Role", {
      ...(props.roleName ? { roleName: props.roleName } : {}),
      description: "Assumed by the zero-downtime deployment workflows over GitHub OIDC",
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: providerArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`${GITHUB_ISSUER}:aud`]: "sts.amazonaws.com",
                // A job with `environment:` presents this subject: repository and environment pinned.
                [`${GITHUB_ISSUER}:sub`]: Fn.join("", ["repo:", props.repository, ":environment:", props.environment]),
              },
            },
          },
        ],
      },
      policies: [{ policyName: "zero-downtime-deploy", policyDocument: combinedPolicy() }],
    });
    role.overrideLogicalId("DeployRole");
    this.role = role;
    this.roleArn = role.attrArn;
  }

  readonly role: CfnRole;
}
