const CHUNK = 4096;

/**
 * Raw (time, value) samples of one metric series in fixed-size typed-array chunks. Once the series
 * holds a whole chunk more than `capacity` samples, the oldest chunk is dropped, so memory stays bounded
 * (16 bytes a sample).
 */
export class SampleBuffer {
  private readonly chunks: Array<{ at: Float64Array; values: Float64Array; length: number }> = [];
  private total = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.total;
  }

  add(at: number, value: number): void {
    let last = this.chunks[this.chunks.length - 1];
    if (!last || last.length === CHUNK) {
      last = { at: new Float64Array(CHUNK), values: new Float64Array(CHUNK), length: 0 };
      this.chunks.push(last);
    }
    last.at[last.length] = at;
    last.values[last.length] = value;
    last.length += 1;
    this.total += 1;
    // Drop whole chunks only while what remains still holds at least `capacity` samples.
    while (this.chunks.length > 1 && this.total - this.chunks[0]!.length >= this.capacity) {
      this.total -= this.chunks.shift()!.length;
    }
  }

  /** Calls `visit` for every sample with from <= at < to, oldest first. */
  forEachBetween(from: number, to: number, visit: (at: number, value: number) => void): void {
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.length; i += 1) {
        const at = chunk.at[i]!;
        if (at >= from && at < to) visit(at, chunk.values[i]!);
      }
    }
  }
}
