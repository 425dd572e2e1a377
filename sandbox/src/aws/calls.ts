/** The log of every AWS call the sandbox answered (or dropped). */
export interface CallRecord {
  /** Real epoch ms when the call arrived. */
  at: number;
  service: string;
  operation: string;
  /** HTTP status; 0 when the connection was reset. */
  status: number;
  errorCode?: string | undefined;
  /** The injected fault, if any: throttle, server-error, connection-reset, latency, latency-spike. */
  fault?: string | undefined;
  durationMs: number;
  requestId: string;
}

export class CallLog {
  private records: CallRecord[] = [];

  add(record: CallRecord): void {
    this.records.push(record);
    if (this.records.length > 100_000) this.records.splice(0, this.records.length - 100_000);
  }

  list(): CallRecord[] {
    return [...this.records];
  }

  reset(): void {
    this.records = [];
  }
}
