import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { int, list, parseParams } from "../../../aws/api/params";
import { decodeQuery } from "../../../aws/api/query";
import { paginate } from "../../../aws/api/service";
import { ec2Error, ec2Response, queryError, queryResponse } from "../../../aws/api/xml";

describe("awsQuery and ec2Query decoding", () => {
  it("turns member lists, nested structures and entry maps into plain values", () => {
    const body =
      "Action=ModifyListener&Version=2015-12-01&ListenerArn=arn%3Ax" +
      "&DefaultActions.member.1.Type=forward" +
      "&DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn=g2&DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight=10" +
      "&DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn=g1&DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight=90" +
      "&DefaultActions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.key=prompt" +
      "&DefaultActions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.value=login";
    const decoded = decodeQuery(body);
    expect(decoded.ListenerArn).toBe("arn:x");
    const action = (decoded.DefaultActions as Record<string, unknown>[])[0]!;
    expect((action.ForwardConfig as { TargetGroups: unknown[] }).TargetGroups).toEqual([
      { TargetGroupArn: "g1", Weight: "90" },
      { TargetGroupArn: "g2", Weight: "10" },
    ]);
    expect((action.AuthenticateOidcConfig as { AuthenticationRequestExtraParams: Map<string, unknown> }).AuthenticationRequestExtraParams).toEqual(new Map([["prompt", "login"]]));
  });

  it("reads an empty list sent as Name= and flattened ec2 lists", () => {
    const decoded = decodeQuery("Targets=&Filter.1.Name=launch-template-name&Filter.1.Value.1=web&LaunchTemplateId.1=lt-1&LaunchTemplateId.2=lt-2");
    expect(parseParams(z.object({ Targets: list(z.string()) }), decoded).Targets).toEqual([]);
    expect(decoded.Filter).toEqual([{ Name: "launch-template-name", Value: ["web"] }]);
    expect(decoded.LaunchTemplateId).toEqual(["lt-1", "lt-2"]);
  });

  it("ignores keys that could pollute prototypes", () => {
    const decoded = decodeQuery("__proto__.polluted=yes&a.constructor.b=1&Name=x");
    expect(decoded).toEqual({ Name: "x" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("names the parameter, the value and the constraint in validation errors", () => {
    const schema = z.object({ Actions: list(z.object({ Weight: int(0, 999) })) });
    expect(() => parseParams(schema, { Actions: [{ Weight: "1000" }] })).toThrow(
      "1 validation error detected: Value '1000' at 'actions.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 999",
    );
    expect(() => parseParams(z.object({ Name: z.string() }), {})).toThrow("Value null at 'name' failed to satisfy constraint: Member must not be null");
  });
});

describe("XML encoding", () => {
  const parser = new XMLParser({ ignoreAttributes: false });

  it("wraps awsQuery results in <Op>Result with <member> lists, ISO dates and the request id", () => {
    const xml = queryResponse("DescribeRules", "ns", { Rules: [{ Priority: "default", IsDefault: true, Conditions: [] }], When: new Date(Date.UTC(2026, 0, 2)) }, "req-1");
    expect(xml).toContain("<Conditions></Conditions>");
    const doc = parser.parse(xml);
    expect(doc.DescribeRulesResponse["@_xmlns"]).toBe("ns");
    expect(doc.DescribeRulesResponse.DescribeRulesResult.Rules.member).toMatchObject({ Priority: "default", IsDefault: true });
    expect(doc.DescribeRulesResponse.DescribeRulesResult.When).toBe("2026-01-02T00:00:00.000Z");
    expect(doc.DescribeRulesResponse.ResponseMetadata.RequestId).toBe("req-1");
    expect(queryResponse("AddTags", "ns", {}, "r")).toContain("<AddTagsResult></AddTagsResult>");
  });

  it("escapes text and encodes errors in both styles", () => {
    expect(queryError("ns", "ValidationError", "a < b & c", "Sender", "r")).toContain("<Message>a &lt; b &amp; c</Message>");
    const ec2 = parser.parse(ec2Error("InvalidLaunchTemplateId.NotFound", "missing", "r"));
    expect(ec2.Response.Errors.Error).toEqual({ Code: "InvalidLaunchTemplateId.NotFound", Message: "missing" });
    expect(ec2.Response.RequestID).toBe("r");
    const ok = parser.parse(ec2Response("DescribeLaunchTemplates", "ns", { launchTemplates: [{ launchTemplateId: "lt-1" }, { launchTemplateId: "lt-2" }] }, "r"));
    expect(ok.DescribeLaunchTemplatesResponse.launchTemplates.item).toEqual([{ launchTemplateId: "lt-1" }, { launchTemplateId: "lt-2" }]);
    expect(ok.DescribeLaunchTemplatesResponse.requestId).toBe("r");
  });
});

describe("page tokens", () => {
  it("pages through a list and rejects a token it did not issue", () => {
    const items = [1, 2, 3, 4, 5];
    const first = paginate(items, undefined, 2, () => new Error("bad") as never);
    expect(first.page).toEqual([1, 2]);
    const second = paginate(items, first.next, 2, () => new Error("bad") as never);
    const third = paginate(items, second.next, 2, () => new Error("bad") as never);
    expect([second.page, third.page, third.next]).toEqual([[3, 4], [5], undefined]);
    expect(() => paginate(items, "garbage", 2, () => new Error("invalid token") as never)).toThrow("invalid token");
  });
});
