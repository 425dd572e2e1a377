/**
 * An optional read lag of ELBv2 tags: for `lagMs` wall-clock milliseconds (not scaled by the time scale:
 * the actions that read tags wait in real time) after AddTags or RemoveTags on a resource, DescribeTags
 * answers that resource's tags as they were `lagMs` earlier. AWS does not promise
 * read-after-write consistency for tags; this lets a test hold a protocol to a stale read, deterministically
 * (the view depends only on the clock and the writes). 0 (the default) turns it off.
 */
type Tags = { Key: string; Value: string }[];

interface Version {
  at: number;
  tags: Tags;
}

export class TagReadLag {
  private lag: number;
  private readonly history = new Map<string, Version[]>();

  constructor(
    private readonly now: () => number,
    lagMs = 0,
  ) {
    this.lag = lagMs;
  }

  get lagMs(): number {
    return this.lag;
  }

  set lagMs(ms: number) {
    if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`tag read lag must be a whole number of milliseconds >= 0, not ${ms}`);
    this.lag = ms;
    if (ms === 0) this.history.clear();
  }

  /** Before a tag write on `arns`: remembers each resource's tags as the version readers see until the write ages. */
  beforeWrite(arns: readonly string[], tagsOf: (arn: string) => Map<string, string> | undefined): void {
    if (this.lag === 0) return;
    for (const arn of arns) {
      const tags = tagsOf(arn);
      if (tags && !this.history.has(arn)) this.history.set(arn, [{ at: -Infinity, tags: copy(tags) }]);
    }
  }

  /** After a successful tag write on `arns`: records the new version. */
  afterWrite(arns: readonly string[], tagsOf: (arn: string) => Map<string, string> | undefined): void {
    if (this.lag === 0) return;
    const at = this.now();
    for (const arn of arns) {
      const tags = tagsOf(arn);
      const versions = this.history.get(arn);
      if (!tags || !versions) continue;
      versions.push({ at, tags: copy(tags) });
      while (versions.length > 1 && versions[1]!.at <= at - this.lag) versions.shift();
    }
  }

  /** The tags DescribeTags answers for `arn`: the newest version at least `lagMs` old, else `current`. */
  view(arn: string, current: Tags): Tags {
    if (this.lag === 0) return current;
    const versions = this.history.get(arn);
    if (!versions) return current;
    const cutoff = this.now() - this.lag;
    let seen: Version | undefined;
    for (const v of versions) if (v.at <= cutoff) seen = v;
    if (!seen || seen === versions.at(-1)) return current;
    return seen.tags.map((t) => ({ ...t }));
  }
}

function copy(tags: Map<string, string>): Tags {
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}
