/**
 * HAND-WRITTEN constraints for operations the vendored models do not hold. Each entry is copied from
 * the AWS API reference named beside it; shapes not defined here are the vendored model's own.
 */
import type { VendoredShape } from "./model-types";

export interface HandWrittenOperations {
  source: string;
  operations: Record<string, string>;
  shapes: Record<string, VendoredShape>;
}

/** ELBv2 (2015-12-01): CreateRule and DeleteRule, which the trimmed model does not keep. */
export const elbv2HandWritten: HandWrittenOperations = {
  source: "hand-written from the Elastic Load Balancing API reference: API_CreateRule, API_DeleteRule, API_RulePriorityPair (Priority 1-50000), API_Tag",
  operations: { CreateRule: "CreateRuleInput", DeleteRule: "DeleteRuleInput" },
  shapes: {
    // API_CreateRule: ListenerArn, Conditions.member.N, Priority, Actions.member.N are "Required: Yes";
    // Tags.member.N is "Array of Tag objects", "Array Members: Minimum number of 1 item" (TagList).
    CreateRuleInput: {
      type: "structure",
      members: {
        ListenerArn: { target: "ListenerArn", required: true },
        Conditions: { target: "RuleConditionList", required: true },
        Priority: { target: "HandRulePriority", required: true },
        Actions: { target: "Actions", required: true },
        Tags: { target: "TagList" },
      },
    },
    // API_CreateRule Priority: "Type: Integer. Valid Range: Minimum value of 1. Maximum value of 50000."
    HandRulePriority: { type: "number", integer: true, range: { min: 1, max: 50000 } },
    // API_DeleteRule: RuleArn "Required: Yes".
    DeleteRuleInput: { type: "structure", members: { RuleArn: { target: "RuleArn", required: true } } },
  },
};
