/** Values registered with `::add-mask::` (and secrets); every log line is shown with them as `***`. */
export class Masker {
  private readonly values = new Set<string>();

  add(value: string): void {
    const trimmed = value.trim();
    if (trimmed === "") return;
    this.values.add(value);
    if (trimmed !== value) this.values.add(trimmed);
    // A multi-line secret is also masked line by line, as the runner does.
    for (const part of value.split(/\r?\n/)) if (part.trim().length > 0) this.values.add(part);
  }

  list(): string[] {
    return [...this.values];
  }

  apply(text: string): string {
    let out = text;
    for (const value of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(value).join("***");
    return out;
  }
}
