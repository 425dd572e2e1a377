/** The log of every AWS call the sandbox answered (or dropped), with each request's decoded input. */
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
  /** The decoded request parameters (awsQuery form-decoded, or the JSON body); kept for the newest calls only. */
  input?: unknown;
  /** How many constraints of the operation's API model (or EC2's documented constraints) the request broke. */
  violations?: number | undefined;
}

/** Records kept (the log is cut back to this many once it has 10% more), and how many of the newest keep their input. */
export const CALL_LOG_LIMIT = 100_000;
export const CALL_INPUT_LIMIT = 20_000;

/** Requests checked against their API model since the sandbox started (a reset of the log keeps it). */
export interface ModelTally {
  checked: number;
  violating: number;
  /** The first violating requests, `Service.Operation: message`. */
  examples: string[];
}

export class CallLog {
  private records: CallRecord[] = [];
  private readonly models: ModelTally = { checked: 0, violating: 0, examples: [] };

  /** Logs a call; `violations` are the model constraints it broke, when its operation has a model. */
  add(record: CallRecord, violations?: readonly string[]): void {
    this.records.push(record);
    if (violations) {
      this.models.checked += 1;
      if (violations.length > 0) {
        this.models.violating += 1;
        if (this.models.examples.length < 20) this.models.examples.push(`${record.service}.${record.operation}: ${violations.join("; ")}`);
      }
    }
    const old = this.records.length - CALL_INPUT_LIMIT - 1;
    if (old >= 0 && this.records[old]!.input !== undefined) delete this.records[old]!.input;
    // Trimmed in batches, so a full log does not copy 100,000 records on every call.
    if (this.records.length >= CALL_LOG_LIMIT + CALL_LOG_LIMIT / 10) this.records.splice(0, this.records.length - CALL_LOG_LIMIT);
  }

  list(): CallRecord[] {
    return [...this.records];
  }

  modelTally(): ModelTally {
    return { ...this.models, examples: [...this.models.examples] };
  }

  reset(): void {
    this.records = [];
  }
}
