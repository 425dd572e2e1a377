/** What every hand-written fake shares: a log of calls, and scripted failures per operation. */
export interface FakeCall {
  op: string;
  args: unknown;
}

export class CallLog {
  readonly calls: FakeCall[] = [];
  /** Throws this error on the named operation (once per entry). */
  readonly failures: { op: string; error: Error }[] = [];

  protected record(op: string, args: unknown): void {
    this.calls.push({ op, args });
    const i = this.failures.findIndex((f) => f.op === op);
    if (i >= 0) {
      const [failure] = this.failures.splice(i, 1);
      throw failure!.error;
    }
  }

  count(op: string): number {
    return this.calls.filter((c) => c.op === op).length;
  }
}
