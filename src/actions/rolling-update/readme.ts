/** More of rolling-update's README (scripts/generate-actions.ts puts it after the usage): how it works. */
export const ROLLING_UPDATE_README = `
## How it works

1. **Plan.** Finds the group (\`auto-scaling-group-name\`, or \`environment-tags\` matching one group), its one
   target group and the one listener or rule that forwards to it, and reads both versions as numbers:
   the group's current launch template version (a \`$Latest\`/\`$Default\` group is pinned to its number
   before the refresh, so AWS can roll it back) and the version to roll out (\`launch-template-version\`
   resolved to its number, or a new version from \`image-id\`). It refuses while a refresh is running, while
   the group is tagged with an unfinished update (run rollback first), and for a group of one instance unless
   \`max-healthy-percentage\` is 200 (a refresh would otherwise terminate it before its replacement serves).
2. **Lock.** Takes the environment's deployment lock on that listener or rule, as the blue/green actions do.
3. **Refresh.** Starts an EC2 instance refresh to the numbered version with your \`checkpoints\`,
   \`min-healthy-percentage\` and \`max-healthy-percentage\` (110 or more launches before it terminates),
   \`instance-warmup\`, \`SkipMatching\`, and a \`CheckpointDelay\` (and a final \`BakeTime\`) of
   \`checkpoint-delay\`. With \`alarm-names\` the refresh also gets them as its \`AlarmSpecification\` with
   \`AutoRollback\`, so AWS rolls back on an alarm even if the job is gone.
4. **At each checkpoint** (AWS pauses there for \`checkpoint-delay\`): the new instances must be healthy in
   the target group within \`checkpoint-timeout\` and stay so for \`stable-for\`; then a \`bake\` polls the
   alarms and every target's health each second; then canary analysis, if on. The checks must end before
   the pause does: if the refresh goes on first, the update fails (raise \`checkpoint-delay\`).
5. **Done** when the refresh is Successful and every instance runs the new version and is healthy: the
   group and its target group are tagged with the new version (\`deploy:version\`,
   \`deploy:launch-template-version\`) and the old one as previous, which is where rollback goes.
6. **Any failure rolls back**: \`RollbackInstanceRefresh\` while the refresh runs (AWS replaces what it
   replaced), a new refresh to the previous version otherwise; the step then fails, with \`rolled-back\`
   and \`rollback-reason\` set. A cancelled job only asks AWS to roll back; run rollback to finish and verify.

## Two versions at once

While the refresh runs, and while a rollback replaces instances again, the old and the new version serve
from the same target group, in the proportion of replaced instances. Both must work with the same
database schema and the same APIs: [migration-guard](../migration-guard/README.md) checks migrations for that.

## Canary analysis in one target group

CloudWatch's ALB metrics are per target group, not per instance, so with CloudWatch alone the versions
cannot be compared: use alarms and absolute thresholds (\`compare: false\`), e.g.

\`\`\`yaml
minRequests: 0
metrics:
  - name: error-rate
    preset: error-rate
    compare: false
    thresholds: { max: 0.01 }
\`\`\`

Prometheus, Datadog and New Relic can compare the new version with the old one when their metrics carry
a version label or tag: the query's \`{{version}}\` is the side's version (\`deploy:version\` of the group for
the old one, \`version\` for the new one).
`;
