/**
 * HAND-WRITTEN input constraints of the EC2 launch-template operations the sandbox serves (the EC2 model
 * is not vendored). Each is copied from the Amazon EC2 API reference page named beside it. EC2 reports
 * the first problem with its own error code, not the "N validation errors detected" form.
 */

export interface Ec2Violation {
  code: string;
  message: string;
}

// API_CreateLaunchTemplateVersion, API_ModifyLaunchTemplate, API_DescribeLaunchTemplateVersions,
// API_DescribeLaunchTemplates (LaunchTemplateName.N), API_LaunchTemplateVersion:
// "Length Constraints: Minimum length of 3. Maximum length of 128. Pattern: [a-zA-Z0-9\(\)\.\-/_]+".
const TEMPLATE_NAME = /^[a-zA-Z0-9().\-/_]+$/u;
// The error AWS answers (observed: InvalidLaunchTemplateName.Malformed with this message).
const badName = (): Ec2Violation => ({
  code: "InvalidLaunchTemplateName.Malformed",
  message: "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.",
});

function templateName(value: unknown): Ec2Violation | undefined {
  if (typeof value !== "string") return undefined;
  const length = [...value].length;
  return length < 3 || length > 128 || !TEMPLATE_NAME.test(value) ? badName() : undefined;
}

const invalidValue = (parameter: string, value: unknown, valid: string): Ec2Violation => ({
  code: "InvalidParameterValue",
  message: `Value (${String(value)}) for parameter ${parameter} is invalid. ${valid}`,
});

// API_CreateLaunchTemplateVersion VersionDescription: "Length Constraints: Minimum length of 0. Maximum length of 255."
function versionDescription(value: unknown): Ec2Violation | undefined {
  return typeof value === "string" && [...value].length > 255 ? invalidValue("VersionDescription", value, "It must be at most 255 characters.") : undefined;
}

// API_CreateLaunchTemplateVersion / API_ModifyLaunchTemplate ClientToken: "Constraint: Maximum 128 ASCII characters."
function clientToken(value: unknown): Ec2Violation | undefined {
  if (typeof value !== "string") return undefined;
  return value.length > 128 || !/^[\x20-\x7e]*$/.test(value) ? invalidValue("ClientToken", value, "It must be at most 128 ASCII characters.") : undefined;
}

// API_DescribeLaunchTemplates / API_DescribeLaunchTemplateVersions MaxResults: "a value between 1 and 200".
function maxResults(value: unknown): Ec2Violation | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return !Number.isInteger(n) || n < 1 || n > 200 ? invalidValue("MaxResults", value, "Expecting a value between 1 and 200.") : undefined;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

type Rule = (params: Record<string, unknown>) => Ec2Violation | undefined;

const RULES: Record<string, Rule[]> = {
  DescribeLaunchTemplates: [(p) => list(p.LaunchTemplateName).map(templateName).find(Boolean), (p) => maxResults(p.MaxResults)],
  DescribeLaunchTemplateVersions: [(p) => templateName(p.LaunchTemplateName), (p) => maxResults(p.MaxResults)],
  CreateLaunchTemplateVersion: [
    (p) => templateName(p.LaunchTemplateName),
    (p) => versionDescription(p.VersionDescription),
    (p) => clientToken(p.ClientToken),
    // API_CreateLaunchTemplateVersion LaunchTemplateData: "Required: Yes".
    (p) => (p.LaunchTemplateData === undefined ? { code: "MissingParameter", message: "The request must contain the parameter LaunchTemplateData" } : undefined),
  ],
  ModifyLaunchTemplate: [(p) => templateName(p.LaunchTemplateName), (p) => clientToken(p.ClientToken)],
};

/** Whether the operation has hand-written EC2 constraints. */
export const hasEc2Rules = (operation: string): boolean => Object.hasOwn(RULES, operation);

/** Every documented constraint the decoded EC2 request breaks, in the order above. */
export function ec2Violations(operation: string, params: Record<string, unknown>): Ec2Violation[] {
  const rules = Object.hasOwn(RULES, operation) ? RULES[operation]! : [];
  return rules.map((rule) => rule(params)).filter((v): v is Ec2Violation => v !== undefined);
}
