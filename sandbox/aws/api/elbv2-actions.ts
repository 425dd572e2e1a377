/** ELBv2 actions and rule conditions: request schemas and the checks ELB makes before storing them. */
import { z } from "zod";
import type { World } from "../world/world";
import type { Action, Condition } from "../world/model";
import { AwsError, validationError } from "./errors";
import { bool, int, list, str } from "./params";

const targetGroupNotFound = () => new AwsError("TargetGroupNotFound", "One or more target groups not found");

/** Action configs the sandbox stores verbatim; member names must be plain identifiers, as in the API model. */
const record = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, { message: "Member names must be letters and digits" }), z.unknown());

export const actionInput = z.object({
  Type: z.enum(["forward", "authenticate-oidc", "authenticate-cognito", "redirect", "fixed-response"]),
  Order: int(1, 50000).optional(),
  TargetGroupArn: str.optional(),
  ForwardConfig: z
    .object({
      TargetGroups: list(z.object({ TargetGroupArn: str, Weight: int(0, 999).optional() }), 5).optional(),
      TargetGroupStickinessConfig: z.object({ Enabled: bool.optional(), DurationSeconds: int(1, 604800).optional() }).optional(),
    })
    .optional(),
  FixedResponseConfig: z
    .object({
      StatusCode: z.string().regex(/^(2|4|5)[0-9][0-9]$/, { message: "Member must satisfy regular expression pattern: ^(2|4|5)\\d\\d$" }),
      ContentType: str.optional(),
      MessageBody: z.string().max(1024).optional(),
    })
    .optional(),
  RedirectConfig: z
    .object({
      StatusCode: z.enum(["HTTP_301", "HTTP_302"]),
      Protocol: str.optional(),
      Port: str.optional(),
      Host: str.optional(),
      Path: str.optional(),
      Query: str.optional(),
    })
    .optional(),
  AuthenticateOidcConfig: record.optional(),
  AuthenticateCognitoConfig: record.optional(),
});
type ActionInput = z.infer<typeof actionInput>;

const valuesConfig = z.object({ Values: list(str) });
export const conditionInput = z.object({
  Field: str.optional(),
  Values: list(str).optional(),
  PathPatternConfig: valuesConfig.optional(),
  HostHeaderConfig: valuesConfig.optional(),
  HttpHeaderConfig: z.object({ HttpHeaderName: str, Values: list(str) }).optional(),
  HttpRequestMethodConfig: valuesConfig.optional(),
  QueryStringConfig: z.object({ Values: list(z.object({ Key: str.optional(), Value: str })) }).optional(),
  SourceIpConfig: valuesConfig.optional(),
});

/** Checks the actions as ELB does and returns them in the shape Describe* echoes back. */
export function normalizeActions(world: World, input: ActionInput[], parameter: string): Action[] {
  if (input.length === 0) throw validationError(`${parameter} must contain at least one action`);
  if (input.length > 1 && input.some((a) => a.Order === undefined)) {
    throw validationError(`An Order must be specified for every action in ${parameter} when there is more than one action`);
  }
  const orders = new Set(input.map((a) => a.Order));
  if (input.length > 1 && orders.size !== input.length) throw validationError(`Action orders in ${parameter} must be unique`);
  const sorted = [...input].sort((a, b) => (a.Order ?? 1) - (b.Order ?? 1));
  const routing = sorted.filter((a) => !a.Type.startsWith("authenticate-"));
  if (routing.length !== 1 || sorted.at(-1) !== routing[0]) {
    throw new AwsError("InvalidLoadBalancerAction", `${parameter} must end with exactly one forward, redirect or fixed-response action`);
  }
  return input.map((a): Action => {
    const order = a.Order ?? 1;
    switch (a.Type) {
      case "forward": {
        const listed = a.ForwardConfig?.TargetGroups ?? [];
        if (!a.TargetGroupArn && listed.length === 0) throw validationError("A forward action needs a TargetGroupArn or ForwardConfig.TargetGroups");
        if (a.TargetGroupArn && listed.length > 0 && (listed.length !== 1 || listed[0]!.TargetGroupArn !== a.TargetGroupArn)) {
          throw validationError("When both TargetGroupArn and ForwardConfig are given, ForwardConfig must list only that target group");
        }
        const targets = listed.length > 0 ? listed.map((t) => ({ TargetGroupArn: t.TargetGroupArn, Weight: t.Weight ?? 1 })) : [{ TargetGroupArn: a.TargetGroupArn!, Weight: 1 }];
        const seen = new Set<string>();
        for (const t of targets) {
          if (seen.has(t.TargetGroupArn)) throw validationError(`Target group '${t.TargetGroupArn}' is listed more than once in the forward action`);
          seen.add(t.TargetGroupArn);
          if (!world.targetGroups.has(t.TargetGroupArn)) throw targetGroupNotFound();
        }
        const sticky = a.ForwardConfig?.TargetGroupStickinessConfig;
        if (sticky?.Enabled && sticky.DurationSeconds === undefined) {
          throw validationError("TargetGroupStickinessConfig.DurationSeconds must be specified when target group stickiness is enabled");
        }
        return {
          Type: "forward",
          Order: order,
          ...(targets.length === 1 ? { TargetGroupArn: targets[0]!.TargetGroupArn } : {}),
          ForwardConfig: {
            TargetGroups: targets,
            TargetGroupStickinessConfig: sticky?.Enabled ? { Enabled: true, DurationSeconds: sticky.DurationSeconds } : { Enabled: false },
          },
        };
      }
      case "fixed-response":
        if (!a.FixedResponseConfig) throw validationError("A fixed-response action needs FixedResponseConfig");
        return { Type: a.Type, Order: order, FixedResponseConfig: a.FixedResponseConfig };
      case "redirect":
        if (!a.RedirectConfig) throw validationError("A redirect action needs RedirectConfig");
        return {
          Type: a.Type,
          Order: order,
          RedirectConfig: { Protocol: "#{protocol}", Port: "#{port}", Host: "#{host}", Path: "/#{path}", Query: "#{query}", ...a.RedirectConfig },
        };
      case "authenticate-oidc":
        if (!a.AuthenticateOidcConfig) throw validationError("An authenticate-oidc action needs AuthenticateOidcConfig");
        return { Type: a.Type, Order: order, AuthenticateOidcConfig: a.AuthenticateOidcConfig };
      case "authenticate-cognito":
        if (!a.AuthenticateCognitoConfig) throw validationError("An authenticate-cognito action needs AuthenticateCognitoConfig");
        return { Type: a.Type, Order: order, AuthenticateCognitoConfig: a.AuthenticateCognitoConfig };
    }
  });
}

export function normalizeConditions(input: z.infer<typeof conditionInput>[]): Condition[] {
  if (input.length === 0) throw validationError("A rule must have at least one condition");
  return input.map((c) => {
    const field = c.Field;
    if (!field) throw validationError("Each condition needs a Field");
    if (field === "path-pattern" || field === "host-header") {
      const config = field === "path-pattern" ? c.PathPatternConfig : c.HostHeaderConfig;
      const values = config?.Values ?? c.Values ?? [];
      if (values.length === 0) throw validationError(`A ${field} condition needs at least one value`);
      return field === "path-pattern" ? { Field: field, Values: values, PathPatternConfig: { Values: values } } : { Field: field, Values: values, HostHeaderConfig: { Values: values } };
    }
    const { Field, ...rest } = c;
    return { Field, ...rest } as Condition;
  });
}
