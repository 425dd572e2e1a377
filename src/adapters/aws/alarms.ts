/**
 * The one SDK adapter under the AlarmStates port (src/ports/alarms.ts): DescribeAlarms in batches of
 * 100 names, every page read. It serves both the gates between traffic steps and the
 * cloudwatch-alarms metric provider. The SDK module loads on the first read.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { AlarmState, AlarmStates } from "../../ports/alarms";
import { wrapError } from "../../util/errors";
import { untrusted } from "../../util/untrusted";
import type { AwsClients } from "./clients";

const BATCH = 100;

export class CloudWatchAlarmStates implements AlarmStates {
  constructor(private readonly client: () => Promise<CloudWatchClient>) {}

  async read(names: string[]): Promise<AlarmState[]> {
    if (names.length === 0) return [];
    const { DescribeAlarmsCommand } = await import("@aws-sdk/client-cloudwatch");
    const client = await this.client();
    const out: AlarmState[] = [];
    try {
      for (let i = 0; i < names.length; i += BATCH) {
        let token: string | undefined;
        do {
          const page = await client.send(
            new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + BATCH), AlarmTypes: ["MetricAlarm", "CompositeAlarm"], NextToken: token, MaxRecords: BATCH }),
          );
          for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
            out.push({ name: a.AlarmName ?? "", state: (a.StateValue ?? "INSUFFICIENT_DATA") as AlarmState["state"], reason: untrusted(a.StateReason ?? "", 500) });
          }
          token = page.NextToken;
        } while (token);
      }
    } catch (error) {
      throw wrapError(`Reading CloudWatch alarms ${names.join(", ")}`, error);
    }
    return out;
  }
}

/** The alarm states over the run's CloudWatch client (built on first use by the one factory). */
export function createAlarmReader(clients: Pick<AwsClients, "cloudWatch">): AlarmStates {
  return new CloudWatchAlarmStates(() => clients.cloudWatch());
}
