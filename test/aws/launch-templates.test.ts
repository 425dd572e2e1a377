import { CreateLaunchTemplateVersionCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { Ec2LaunchTemplates } from "../../src/adapters/aws/launch-templates";
import { ConfigurationError, OperationalError } from "../../src/util/errors";

const mock = mockClient(EC2Client);
const client = new EC2Client({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
const templates = new Ec2LaunchTemplates(async () => client);

afterEach(() => mock.reset());

describe("Ec2LaunchTemplates.createVersionWithImage", () => {
  it("creates the version from a numbered source version without looking it up", async () => {
    mock.on(CreateLaunchTemplateVersionCommand).resolves({ LaunchTemplateVersion: { LaunchTemplateId: "lt-0abc", VersionNumber: 8 } });

    const version = await templates.createVersionWithImage({ id: "lt-0abc", name: "web", version: "7" }, "ami-0123456789abcdef0", "deploy-green 42-1: v2 (ami-0123456789abcdef0)");

    expect(version).toBe("8");
    expect(mock.commandCalls(DescribeLaunchTemplateVersionsCommand)).toHaveLength(0);
    expect(mock.commandCalls(CreateLaunchTemplateVersionCommand)[0]!.args[0].input).toEqual({
      LaunchTemplateId: "lt-0abc",
      SourceVersion: "7",
      VersionDescription: "deploy-green 42-1: v2 (ami-0123456789abcdef0)",
      LaunchTemplateData: { ImageId: "ami-0123456789abcdef0" },
    });
  });

  it("resolves $Latest and $Default to a number first", async () => {
    mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ LaunchTemplateName: "web", VersionNumber: 5, DefaultVersion: true }] });
    mock.on(CreateLaunchTemplateVersionCommand).resolves({ LaunchTemplateVersion: { VersionNumber: 9 } });

    const version = await templates.createVersionWithImage({ name: "web", version: "$Default" }, "ami-12345678");

    expect(version).toBe("9");
    expect(mock.commandCalls(DescribeLaunchTemplateVersionsCommand)[0]!.args[0].input).toEqual({ LaunchTemplateName: "web", Versions: ["$Default"] });
    expect(mock.commandCalls(CreateLaunchTemplateVersionCommand)[0]!.args[0].input).toMatchObject({ LaunchTemplateName: "web", SourceVersion: "5" });
    expect(mock.commandCalls(CreateLaunchTemplateVersionCommand)[0]!.args[0].input.VersionDescription).toContain("ami-12345678");
  });

  it("wraps a failed create with the template, source version and image", async () => {
    mock.on(CreateLaunchTemplateVersionCommand).rejects(
      Object.assign(new Error("The image id '[ami-12345678]' does not exist"), { name: "InvalidAMIID.NotFound", $metadata: { httpStatusCode: 400 } }),
    );
    const error = await templates.createVersionWithImage({ id: "lt-0abc", version: "3" }, "ami-12345678").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationalError);
    expect((error as Error).message).toBe(
      "Creating a version of launch template lt-0abc from version 3 with image ami-12345678: InvalidAMIID.NotFound: The image id '[ami-12345678]' does not exist",
    );
  });
});

describe("Ec2LaunchTemplates.describeVersion", () => {
  it("reads the number and the image of a version in one call, $Default included", async () => {
    mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ VersionNumber: 4, LaunchTemplateData: { ImageId: "ami-44444444" } }] });
    expect(await templates.describeVersion({ id: "lt-0abc", version: "$Default" })).toEqual({ version: "4", imageId: "ami-44444444" });
    expect(mock.commandCalls(DescribeLaunchTemplateVersionsCommand)).toHaveLength(1);
    expect(mock.commandCalls(DescribeLaunchTemplateVersionsCommand)[0]!.args[0].input).toEqual({ LaunchTemplateId: "lt-0abc", Versions: ["$Default"] });
  });

  it("says so when the version does not exist", async () => {
    mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [] });
    const error = await templates.describeVersion({ id: "lt-0abc", name: "web", version: "99" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe("Version 99 of launch template lt-0abc (web) does not exist.");
  });
});
