import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RELEASE_IMAGES } from "../../../aws/config";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor, failure } from "./clients";

describe("EC2 launch templates through the unmodified SDK", () => {
  let sandbox: Sandbox;
  let c: ReturnType<typeof clientsFor>;
  let templateId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ timeScale: 50, seed: 5 });
    c = clientsFor(sandbox);
    templateId = sandbox.environment.launchTemplates["web-green"]!;
  });
  afterAll(async () => {
    c?.destroy();
    await sandbox?.close();
  });

  it("describes launch templates by id and by name", async () => {
    const all = await c.ec2.send(new DescribeLaunchTemplatesCommand({}));
    expect(all.LaunchTemplates!.map((t) => t.LaunchTemplateName)).toEqual(["web-blue", "web-green"]);
    const byId = await c.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [templateId] }));
    expect(byId.LaunchTemplates![0]).toMatchObject({ LaunchTemplateId: templateId, LaunchTemplateName: "web-green", DefaultVersionNumber: 1, LatestVersionNumber: 1 });
    expect(byId.LaunchTemplates![0]!.CreateTime).toBeInstanceOf(Date);
    const byName = await c.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ["web-green"] }));
    expect(byName.LaunchTemplates![0]!.LaunchTemplateId).toBe(templateId);
    const missing = await failure(c.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ["nope"] })));
    expect(missing.name).toBe("InvalidLaunchTemplateName.NotFoundException");
    expect(missing.$metadata.httpStatusCode).toBe(400);
  });

  it("creates a version from a source version with a new image id, sets it as default, and describes versions", async () => {
    const created = await c.ec2.send(
      new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: templateId, SourceVersion: "1", VersionDescription: "v2", LaunchTemplateData: { ImageId: RELEASE_IMAGES.v2 } }),
    );
    expect(created.LaunchTemplateVersion).toMatchObject({ VersionNumber: 2, DefaultVersion: false, LaunchTemplateData: { ImageId: RELEASE_IMAGES.v2, InstanceType: "t3.micro" } });
    const modified = await c.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: templateId, DefaultVersion: "2" }));
    expect(modified.LaunchTemplate).toMatchObject({ DefaultVersionNumber: 2, LatestVersionNumber: 2 });
    const latest = await c.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, Versions: ["$Latest", "1"] }));
    expect(latest.LaunchTemplateVersions!.map((v) => [v.VersionNumber, v.LaunchTemplateData?.ImageId, v.DefaultVersion])).toEqual([
      [2, RELEASE_IMAGES.v2, true],
      [1, RELEASE_IMAGES.v1, false],
    ]);
    const all = await c.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: "web-green" }));
    expect(all.LaunchTemplateVersions).toHaveLength(2);
  });

  it("answers EC2-style errors for unknown templates, versions and malformed image ids", async () => {
    const unknown = await failure(c.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: "lt-0123456789abcdef0" })));
    expect(unknown.name).toBe("InvalidLaunchTemplateId.NotFound");
    expect(unknown.message).toContain("lt-0123456789abcdef0");
    const version = await failure(c.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: templateId, DefaultVersion: "9" })));
    expect(version.name).toBe("InvalidLaunchTemplateId.VersionNotFound");
    const malformed = await failure(c.ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: templateId, SourceVersion: "1", LaunchTemplateData: { ImageId: "not-an-ami" } })));
    expect(malformed.name).toBe("InvalidAMIID.Malformed");
  });
});
