/** The tags the suite keeps on target groups, Auto Scaling groups and listeners/rules. */
export const TAG = {
  slot: "deploy:slot",
  role: "deploy:role",
  version: "deploy:version",
  deploymentId: "deploy:deployment-id",
  sha: "deploy:sha",
  updatedAt: "deploy:updated-at",
  lock: "deploy:lock",
  rolledBackFrom: "deploy:rolled-back-from",
  reason: "deploy:reason",
  /** On a slot: the schema version its release needs (deploy-green's schema-version). */
  schemaVersion: "deploy:schema-version",
  /** On the environment's listener or rule: the highest schema version a contract migration ended (migration-guard's gate). */
  schemaContracted: "deploy:schema-contracted",
} as const;

/** A schema version as a tag holds it: a whole number, else undefined. */
export function parseSchemaVersion(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/** stable: serves traffic and is good; candidate: the new version; previous: last known good; failed: rolled back from. */
export const ROLES = ["stable", "candidate", "previous", "failed"] as const;
export type Role = (typeof ROLES)[number];

export function parseRole(value: string | undefined): Role | undefined {
  return (ROLES as readonly string[]).includes(value ?? "") ? (value as Role) : undefined;
}

/**
 * ELBv2's pattern for a tag value (0-256 characters): letters, digits, spaces and `_ . : / = + - @`.
 * With the `u` flag, as AWS's models are ECMA-262 with Unicode.
 */
export const TAG_VALUE_PATTERN = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
export const TAG_VALUE_MAX = 256;

const ALLOWED = /[\p{L}\p{N}_.:/=+\-@]/u;
const SPACE = /[\s\p{Z}\p{Cc}]/u;
/** Format characters (soft hyphen, zero-width joiners, bidi controls) and combining marks left after NFC. */
const DROPPED = /[\p{Cf}\p{M}]/u;
const OPENING = new Set(["(", "[", "{", "<"]);
const CLOSING = new Set([")", "]", "}", ">"]);
/** Readable stand-ins for common characters ELBv2 refuses; any other becomes a space. */
const STAND_IN: Record<string, string> = {
  ";": " - ",
  ",": " ",
  "#": "",
  "&": "+",
  "%": " percent",
  "|": "/",
  "\\": "/",
  "~": "-",
  "^": "-",
  "*": "",
  "'": "",
  '"': "",
  "`": "",
  "!": "",
  "?": "",
  $: "",
};

function standIn(c: string, before: string, after: string | undefined): string {
  const spaced = (x: string | undefined) => x === undefined || SPACE.test(x);
  // `github-actions[bot]` → `github-actions-bot`; `release (by alice)` → `release - by alice`.
  if (OPENING.has(c)) return before === "" ? "" : spaced(before.slice(-1)) ? "- " : "-";
  if (CLOSING.has(c)) return spaced(after) ? "" : "-";
  if (/\p{Pd}/u.test(c)) return "-";
  return STAND_IN[c] ?? " ";
}

/**
 * Free text as an ELBv2 tag value: every character outside the allowed set is mapped to a readable
 * stand-in (brackets to a dash, `;` to ` - `, line breaks and other spacing to one space), runs of
 * spaces are collapsed, and the result is cut to 256 characters (code points) with `...`. Every
 * free-text tag the suite writes (reason, rolled-back-from, version, deployment id, sha) goes
 * through here, on target groups and Auto Scaling groups alike.
 */
export function tagText(value: string): string {
  const chars = Array.from(value.normalize("NFC"));
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (ALLOWED.test(c)) out += c;
    else if (SPACE.test(c)) out += " ";
    else if (!DROPPED.test(c)) out += standIn(c, out, chars[i + 1]);
  }
  const text = Array.from(out.replace(/ {2,}/g, " ").replace(/(?: -)+(?= )/g, " -").trim());
  if (text.length <= TAG_VALUE_MAX) return text.join("");
  return `${text.slice(0, TAG_VALUE_MAX - 3).join("").trimEnd()}...`;
}

/** A rollback's reason with who asked for it, as its deploy:reason tag records it (through tagText). */
export function rollbackReason(reason: string, actor: string | undefined): string {
  return actor ? `${reason} - by ${actor}` : reason;
}
