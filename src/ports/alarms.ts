/** CloudWatch alarm states: the gates between traffic steps and the cloudwatch-alarms metric provider read them. Adapter: src/adapters/aws/alarms.ts. */
export interface AlarmState {
  name: string;
  state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  reason: string;
}

export interface AlarmStates {
  /** States of the named alarms; names that do not exist are absent from the result. */
  read(names: string[]): Promise<AlarmState[]>;
}
