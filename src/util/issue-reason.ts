/**
 * What a zod issue says, in words. A union reports only "Invalid input"; the reason is in its
 * branches, and the one that matters is the branch that recognised the value as its kind (our own
 * check, a pattern) rather than the ones that only say "not the empty string" or "not a number".
 */
import type * as z from "./zod";

type Issue = z.core.$ZodIssue;

/** Issues that only say the value is of another branch's kind. */
function isKindMismatch(issue: Issue): boolean {
  return issue.code === "invalid_value" || issue.code === "invalid_type";
}

export function issueReason(issue: Issue): string {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue.message;
  const all = issue.errors.flat();
  const specific = all.filter((i) => !isKindMismatch(i));
  const ours = specific.filter((i) => i.code === "custom" || i.code === "invalid_union");
  const chosen = ours.length > 0 ? ours : specific.length > 0 ? specific : all;
  return [...new Set(chosen.map(issueReason))].join("; or ");
}
