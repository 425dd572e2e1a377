/** The one SDK adapter for EC2 launch templates: the `LaunchTemplates` port. Loaded only when an image id is deployed. */
import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplateVersionsCommand,
  type EC2Client,
  type LaunchTemplateVersion,
} from "@aws-sdk/client-ec2";
import type { LaunchTemplateRef, LaunchTemplates } from "../../ports/fleet";
import { ConfigurationError, OperationalError, wrapError } from "../../util/errors";

function which(template: LaunchTemplateRef): { LaunchTemplateId: string } | { LaunchTemplateName: string } {
  if (template.id) return { LaunchTemplateId: template.id };
  if (template.name) return { LaunchTemplateName: template.name };
  throw new ConfigurationError("A launch template needs an id or a name; the Auto Scaling group reported neither.");
}

function label(template: LaunchTemplateRef): string {
  return `launch template ${template.id ?? template.name}${template.id && template.name ? ` (${template.name})` : ""}`;
}

export function isVersionNumber(version: string): boolean {
  return /^\d+$/.test(version);
}

export class Ec2LaunchTemplates implements LaunchTemplates {
  constructor(private readonly client: () => Promise<EC2Client>) {}

  private async version(template: LaunchTemplateRef): Promise<LaunchTemplateVersion> {
    const client = await this.client();
    let found: LaunchTemplateVersion | undefined;
    try {
      const out = await client.send(new DescribeLaunchTemplateVersionsCommand({ ...which(template), Versions: [template.version] }));
      found = out.LaunchTemplateVersions?.[0];
    } catch (error) {
      throw wrapError(`Describing version ${template.version} of ${label(template)}`, error);
    }
    if (!found) throw new ConfigurationError(`Version ${template.version} of ${label(template)} does not exist.`);
    return found;
  }

  /** The version as a number: `$Latest` and `$Default` are looked up. */
  async resolveVersion(template: LaunchTemplateRef): Promise<string> {
    if (isVersionNumber(template.version)) return template.version;
    const found = await this.version(template);
    if (found.VersionNumber === undefined) throw new OperationalError(`EC2 returned version ${template.version} of ${label(template)} without a version number.`);
    return String(found.VersionNumber);
  }

  /**
   * Creates a version from `template.version` with only the image changed, and returns its number.
   * `description` becomes the version description (the deployment it belongs to).
   */
  async createVersionWithImage(template: LaunchTemplateRef, imageId: string, description?: string): Promise<string> {
    const source = await this.resolveVersion(template);
    const client = await this.client();
    let created: LaunchTemplateVersion | undefined;
    try {
      const out = await client.send(
        new CreateLaunchTemplateVersionCommand({
          ...which(template),
          SourceVersion: source,
          VersionDescription: (description ?? `Image ${imageId}, from version ${source}`).slice(0, 255),
          LaunchTemplateData: { ImageId: imageId },
        }),
      );
      created = out.LaunchTemplateVersion;
    } catch (error) {
      throw wrapError(`Creating a version of ${label(template)} from version ${source} with image ${imageId}`, error);
    }
    if (created?.VersionNumber === undefined) {
      throw new OperationalError(`EC2 created a version of ${label(template)} with image ${imageId} but returned no version number.`);
    }
    return String(created.VersionNumber);
  }

  async describeVersion(template: LaunchTemplateRef): Promise<{ version: string; imageId: string | undefined }> {
    const found = await this.version(template);
    if (found.VersionNumber === undefined) throw new OperationalError(`EC2 returned version ${template.version} of ${label(template)} without a version number.`);
    return { version: String(found.VersionNumber), imageId: found.LaunchTemplateData?.ImageId };
  }
}
