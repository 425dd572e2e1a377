/** The health-gate action's inputs and outputs: the single truth for its action.yml, docs and settings type. */
import * as z from "../../util/zod";
import { type HttpHeader, parseExpectedStatus, parseHeaderLines, type StatusRange } from "../../domain/http-check";
import { type JsonExpectation, parseExpectation, EXPECTATION_SYNTAX } from "../../domain/json-expectation";
import { checkEnvironment, checkStableFor, environmentInputs, stableForInput } from "../../inputs/common";
import { defineAction, type Settings } from "../../inputs/define";
import { addIssue, arnList, duration, integer, lines, minHealthy, optionalInteger, text } from "../../inputs/fields";
import { untrusted } from "../../util/untrusted";

const urls = () =>
  z.pipe(z.string(), z.transform((s: string, ctx) => {
    const list = lines(s);
    if (list.length > 20) {
      addIssue(ctx, `${list.length} URLs; at most 20`);
      return z.NEVER;
    }
    for (const item of list) {
      let url: URL | undefined;
      try {
        url = new URL(item);
      } catch {
        url = undefined;
      }
      const shown = `"${untrusted(item, 120)}"`;
      if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
        addIssue(ctx, `${shown} is not an http:// or https:// URL`);
        return z.NEVER;
      }
      if (url.username || url.password) {
        addIssue(ctx, `${url.host} carries credentials in the URL; send them in headers (e.g. Authorization), which are masked`);
        return z.NEVER;
      }
    }
    return list;
  }));

const expectedStatus = () =>
  z.pipe(z.string(), z.transform((s: string, ctx): StatusRange[] => {
    const parsed = parseExpectedStatus(s);
    if (typeof parsed === "string") {
      addIssue(ctx, parsed);
      return z.NEVER;
    }
    return parsed;
  }));

const expectJson = () =>
  z.pipe(z.string(), z.transform((s: string, ctx): JsonExpectation[] => {
    const out: JsonExpectation[] = [];
    for (const line of lines(s)) {
      const parsed = parseExpectation(line);
      if (!parsed.ok) {
        addIssue(ctx, parsed.message);
        return z.NEVER;
      }
      out.push(parsed.value);
    }
    return out;
  }));

/** Above U+00FF: HTTP header values are bytes (Latin-1), so Node refuses such a value on every request. */
const NOT_LATIN1 = /[^\u0000-\u00ff]/;

const headers = () =>
  z.pipe(z.string(), z.transform((s: string, ctx): HttpHeader[] => {
    const parsed = parseHeaderLines(lines(s));
    if (typeof parsed === "string") {
      addIssue(ctx, parsed);
      return z.NEVER;
    }
    const wide = parsed.findIndex((h) => NOT_LATIN1.test(h.value));
    if (wide >= 0) {
      addIssue(ctx, `line ${wide + 1} (${parsed[wide]!.name}): the value has characters beyond Latin-1 (above U+00FF), which an HTTP header cannot carry; percent-encode them or use ASCII`);
      return z.NEVER;
    }
    return parsed;
  }));

export const healthGateAction = defineAction({
  name: "health-gate",
  branding: { icon: "activity", color: "blue" },
  title: "Health gate",
  description:
    "Waits until a slot is really healthy: every registered target of its target groups healthy in the load balancer, the given URLs answering as expected several times in a row, and all of it still so after stable-for. Fails with the exact reasons when the timeout passes first.",
  inputs: {
    "target-group-arns": {
      description: "Target groups to check, one ARN per line or comma-separated. Alternatively name the environment (listener-arn, rule-arn or environment-tags) and a slot.",
      get schema() {
        return arnList("targetGroup");
      },
      valid: "ARNs like arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>, one per line or comma-separated",
    },
    ...environmentInputs,
    slot: {
      description: "With listener-arn, rule-arn or environment-tags: the slot whose target group is checked, by name (blue, green, a target group name) or role (candidate, stable, previous, idle, live).",
      default: "candidate",
      get schema() {
        return text(64);
      },
      valid: "a slot name such as blue or green, or a role: candidate, stable, previous, idle or live",
    },
    "min-healthy": {
      description: "Fewest healthy targets each target group must have, as a count or a percentage of its registered targets. Every registered target (draining ones aside) must be healthy as well. At least 1 (0 is refused): a group with no healthy target never passes.",
      default: "1",
      get schema() {
        return minHealthy();
      },
      valid: "a count from 1 such as 2, or a percentage from 1% to 100% such as 50%",
    },
    urls: {
      description: "URLs to GET on every poll, one per line. Redirects are not followed: a 3xx is a status like any other.",
      get schema() {
        return urls();
      },
      valid: "up to 20 http:// or https:// URLs without credentials, one per line",
    },
    "expected-status": {
      description: "HTTP statuses that count as a success.",
      default: "200",
      get schema() {
        return expectedStatus();
      },
      valid: "a status such as 200, a range such as 200-299, or a comma-separated list such as 200,204",
    },
    "expect-json": {
      description:
        'Expectations on the JSON body of every URL, one per line: a path, an operator and a value, e.g. status == "healthy", checks.db.ok == true, version != "v1", items.length >= 1.',
      get schema() {
        return expectJson();
      },
      valid: `lines of ${EXPECTATION_SYNTAX}`,
    },
    "max-latency": {
      description: "Longest acceptable time for one answer, from sending the request to the end of the body, in milliseconds. No limit when empty.",
      get schema() {
        return optionalInteger(1, 600_000);
      },
      valid: "a whole number of milliseconds from 1 to 600000",
    },
    "consecutive-successes": {
      description: "Good answers in a row each URL must give; a failure starts the count again.",
      default: "3",
      get schema() {
        return integer(1, 100);
      },
      valid: "a whole number from 1 to 100",
    },
    "request-timeout": {
      description: "How long one request may take before it counts as a failure.",
      default: "5s",
      get schema() {
        return duration({ min: 1000, max: 120_000 });
      },
      valid: "a duration from 1s to 2m, e.g. 5s",
    },
    headers: {
      description:
        "Request headers, one `Name: value` per line, e.g. `Host: app.example.com` to reach a host-routed rule. Values of Authorization, Cookie, X-Api-Key and other credential headers are masked and never logged.",
      get schema() {
        return headers();
      },
      valid: "lines of Name: value",
      secret: true,
    },
    timeout: {
      description: "How long to wait for everything to be healthy before failing.",
      default: "5m",
      get schema() {
        return duration({ max: 6 * 3600_000 });
      },
      valid: "a duration up to 6h, e.g. 90s, 5m or 1h",
    },
    ...stableForInput,
  },
  outputs: {
    healthy: { description: "`true` when every check passed, else `false`." },
    "healthy-count": { description: "Healthy targets across the checked target groups." },
    checks: { description: "JSON array with one object per check: kind (target-group or http), target (ARN or URL), ok, detail." },
  },
  requireOneOf: [
    {
      inputs: ["target-group-arns", "urls", "listener-arn", "rule-arn", "environment-tags"],
      message: "Input required and not supplied: target-group-arns, urls, or the environment (listener-arn, rule-arn or environment-tags, with slot). Give target groups to check, URLs to check, or both.",
    },
  ],
  check: (s) => {
    const environment = s["listener-arn"] || s["rule-arn"] || Object.keys(s["environment-tags"]).length > 0;
    const groups = s["target-group-arns"].length > 0;
    if (!groups && !environment && s.urls.length === 0) {
      return "Input required and not supplied: target-group-arns, urls, or the environment (listener-arn, rule-arn or environment-tags, with slot). Give target groups to check, URLs to check, or both.";
    }
    if (groups && environment) {
      return "Inputs target-group-arns and listener-arn/rule-arn/environment-tags both name the target groups to check; give target-group-arns, or the environment and slot.";
    }
    if (environment) {
      const problem = checkEnvironment(s);
      if (problem) return problem;
    }
    if (s.urls.length === 0) {
      const stray = [
        s["expect-json"].length > 0 && "expect-json",
        s.headers.length > 0 && "headers",
        s["max-latency"] !== undefined && "max-latency",
      ].filter((name): name is string => typeof name === "string");
      if (stray.length > 0) return `Input ${stray.join(" and ")} applies to URL checks, but urls is empty; give urls or remove ${stray.join(" and ")}.`;
    }
    return checkStableFor(s["stable-for"], s.timeout);
  },
});

export type HealthGateSettings = Settings<typeof healthGateAction>;
