/** CloudWatch alarm states, as gates between traffic steps. Adapter: src/aws/alarms.ts. */
export interface AlarmState {
  name: string;
  state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  reason: string;
}

export interface AlarmStates {
  /** States of the named alarms; names that do not exist are absent from the result. */
  read(names: string[]): Promise<AlarmState[]>;
}
