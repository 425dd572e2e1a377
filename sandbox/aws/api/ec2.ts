/**
 * EC2 (ec2Query, 2016-11-15): launch templates. Requests use flattened lists (`Name.N`); responses
 * use lowerCamel element names, `<item>` list members and no Result wrapper. The documented input
 * constraints (name pattern and length, description length, …) are checked before a handler runs
 * (ec2-constraints.ts).
 */
import { z } from "zod";
import type { World } from "../world/world";
import type { LaunchTemplate, LaunchTemplateVersion } from "../world/model";
import { resolveVersion } from "../world/autoscaling";
import { AwsError } from "./errors";
import { int, list, parseParams, str } from "./params";
import { paginate, type ServiceDefinition } from "./service";

const filter = z.object({ Name: str, Value: list(str).optional() });

function templateOut(world: World, t: LaunchTemplate) {
  return {
    launchTemplateId: t.id,
    launchTemplateName: t.name,
    createTime: new Date(t.createdAt),
    createdBy: `arn:aws:iam::${world.accountId}:user/sandbox`,
    defaultVersionNumber: t.defaultVersion,
    latestVersionNumber: t.versions.at(-1)!.number,
  };
}

function versionOut(world: World, t: LaunchTemplate, v: LaunchTemplateVersion) {
  return {
    launchTemplateId: t.id,
    launchTemplateName: t.name,
    versionNumber: v.number,
    versionDescription: v.description,
    createTime: new Date(v.createdAt),
    createdBy: `arn:aws:iam::${world.accountId}:user/sandbox`,
    defaultVersion: v.number === t.defaultVersion,
    launchTemplateData: { imageId: v.imageId || undefined, instanceType: v.instanceType || undefined },
  };
}

function findTemplate(world: World, id: string | undefined, name: string | undefined): LaunchTemplate {
  if ((id === undefined) === (name === undefined)) {
    throw new AwsError("MissingParameter", "The request must contain exactly one of the parameters LaunchTemplateId and LaunchTemplateName");
  }
  if (id !== undefined) {
    if (!/^lt-[0-9a-f]{17}$/.test(id)) throw new AwsError("InvalidLaunchTemplateId.Malformed", `The specified ID for the launch template (${id}) is not valid. Make sure that you specify the launch template ID in the correct format (lt-[17 hex characters]).`);
    const template = world.launchTemplates.get(id);
    if (!template) throw new AwsError("InvalidLaunchTemplateId.NotFound", `The specified launch template, with template ID ${id}, does not exist.`);
    return template;
  }
  const template = [...world.launchTemplates.values()].find((t) => t.name === name);
  if (!template) throw new AwsError("InvalidLaunchTemplateName.NotFoundException", `The specified launch template, with template name ${name}, does not exist.`);
  return template;
}

function versionNotFound(template: LaunchTemplate, version: string): AwsError {
  return new AwsError("InvalidLaunchTemplateId.VersionNotFound", `Could not find launch template version ${version} for launch template ${template.id}.`);
}

const invalidToken = () => new AwsError("InvalidNextToken", "The token is not valid.");

export const ec2: ServiceDefinition = {
  name: "EC2",
  signingName: "ec2",
  version: "2016-11-15",
  namespace: "http://ec2.amazonaws.com/doc/2016-11-15/",
  protocol: "ec2",
  operations: {
    DescribeLaunchTemplates(raw, { world }) {
      const p = parseParams(
        z.object({ DryRun: str.optional(), LaunchTemplateId: list(str).optional(), LaunchTemplateName: list(str).optional(), Filter: list(filter).optional(), NextToken: str.optional(), MaxResults: int(1, 200).optional() }),
        raw,
      );
      let templates = [...world.launchTemplates.values()];
      if (p.LaunchTemplateId?.length) templates = p.LaunchTemplateId.map((id) => findTemplate(world, id, undefined));
      if (p.LaunchTemplateName?.length) {
        const missing = p.LaunchTemplateName.filter((n) => !templates.some((t) => t.name === n));
        if (missing.length > 0) throw new AwsError("InvalidLaunchTemplateName.NotFoundException", "At least one of the launch templates specified in the request does not exist.");
        templates = templates.filter((t) => p.LaunchTemplateName!.includes(t.name));
      }
      for (const f of p.Filter ?? []) {
        const values = f.Value ?? [];
        if (f.Name === "launch-template-name") templates = templates.filter((t) => values.includes(t.name));
        else throw new AwsError("InvalidParameterValue", `The filter '${f.Name}' is not supported by the sandbox; valid: launch-template-name`);
      }
      const { page, next } = paginate(templates, p.NextToken, p.MaxResults ?? 200, invalidToken);
      return { launchTemplates: page.map((t) => templateOut(world, t)), nextToken: next };
    },

    DescribeLaunchTemplateVersions(raw, { world }) {
      const p = parseParams(
        z.object({
          DryRun: str.optional(),
          LaunchTemplateId: str.optional(),
          LaunchTemplateName: str.optional(),
          LaunchTemplateVersion: list(str).optional(),
          MinVersion: str.optional(),
          MaxVersion: str.optional(),
          NextToken: str.optional(),
          MaxResults: int(1, 200).optional(),
          Filter: list(filter).optional(),
        }),
        raw,
      );
      const template = findTemplate(world, p.LaunchTemplateId, p.LaunchTemplateName);
      let versions: LaunchTemplateVersion[];
      if (p.LaunchTemplateVersion?.length) {
        versions = p.LaunchTemplateVersion.map((v) => resolveVersion(template, v) ?? (() => { throw versionNotFound(template, v); })());
      } else {
        versions = [...template.versions].reverse();
        if (p.MinVersion) versions = versions.filter((v) => v.number >= Number(p.MinVersion));
        if (p.MaxVersion) versions = versions.filter((v) => v.number <= Number(p.MaxVersion));
      }
      for (const f of p.Filter ?? []) {
        const values = f.Value ?? [];
        if (f.Name === "is-default-version") versions = versions.filter((v) => values.includes(String(v.number === template.defaultVersion)));
        else if (f.Name === "image-id") versions = versions.filter((v) => values.includes(v.imageId));
        else throw new AwsError("InvalidParameterValue", `The filter '${f.Name}' is not supported by the sandbox; valid: is-default-version, image-id`);
      }
      const { page, next } = paginate(versions, p.NextToken, p.MaxResults ?? 200, invalidToken);
      return { launchTemplateVersionSet: page.map((v) => versionOut(world, template, v)), nextToken: next };
    },

    CreateLaunchTemplateVersion(raw, { world }) {
      const p = parseParams(
        z.object({
          DryRun: str.optional(),
          ClientToken: str.optional(),
          LaunchTemplateId: str.optional(),
          LaunchTemplateName: str.optional(),
          SourceVersion: str.optional(),
          VersionDescription: str.optional(),
          LaunchTemplateData: z.object({ ImageId: str.optional(), InstanceType: str.optional() }).loose().optional(),
          ResolveAlias: str.optional(),
        }),
        raw,
      );
      const template = findTemplate(world, p.LaunchTemplateId, p.LaunchTemplateName);
      if (!p.LaunchTemplateData) throw new AwsError("MissingParameter", "The request must contain the parameter LaunchTemplateData");
      const source = p.SourceVersion !== undefined ? resolveVersion(template, p.SourceVersion) : undefined;
      if (p.SourceVersion !== undefined && !source) throw versionNotFound(template, p.SourceVersion);
      const imageId = p.LaunchTemplateData.ImageId ?? source?.imageId ?? "";
      if (imageId && !/^ami-[0-9a-f]{8}([0-9a-f]{9})?$/.test(imageId)) {
        throw new AwsError("InvalidAMIID.Malformed", `Invalid id: "${imageId}" (expecting "ami-...")`);
      }
      if (template.versions.length >= 10000) throw new AwsError("LaunchTemplateVersionLimitExceeded", "The launch template has reached its limit of 10000 versions");
      const version: LaunchTemplateVersion = {
        number: template.versions.at(-1)!.number + 1,
        description: p.VersionDescription,
        createdAt: world.clock.now(),
        imageId,
        instanceType: p.LaunchTemplateData.InstanceType ?? source?.instanceType ?? "",
      };
      template.versions.push(version);
      return { launchTemplateVersion: versionOut(world, template, version) };
    },

    ModifyLaunchTemplate(raw, { world }) {
      const p = parseParams(
        z.object({ DryRun: str.optional(), ClientToken: str.optional(), LaunchTemplateId: str.optional(), LaunchTemplateName: str.optional(), SetDefaultVersion: str.optional() }),
        raw,
      );
      const template = findTemplate(world, p.LaunchTemplateId, p.LaunchTemplateName);
      if (p.SetDefaultVersion !== undefined) {
        const version = /^[1-9][0-9]*$/.test(p.SetDefaultVersion) || p.SetDefaultVersion === "$Latest" ? resolveVersion(template, p.SetDefaultVersion) : undefined;
        if (!version) throw versionNotFound(template, p.SetDefaultVersion);
        template.defaultVersion = version.number;
      }
      return { launchTemplate: templateOut(world, template) };
    },
  },
};
