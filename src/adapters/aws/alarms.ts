import { type CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import type { AlarmState, AlarmStates } from "../../ports/alarms";
import { wrapError } from "../../util/errors";
import { untrusted } from "../../util/untrusted";

export class CloudWatchAlarmStates implements AlarmStates {
  constructor(private readonly client: () => Promise<CloudWatchClient>) {}

  async read(names: string[]): Promise<AlarmState[]> {
    if (names.length === 0) return [];
    const client = await this.client();
    const out: AlarmState[] = [];
    try {
      for (let i = 0; i < names.length; i += 100) {
        let token: string | undefined;
        do {
          const page = await client.send(
            new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), AlarmTypes: ["MetricAlarm", "CompositeAlarm"], NextToken: token, MaxRecords: 100 }),
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
