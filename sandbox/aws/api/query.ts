/**
 * Decodes awsQuery and ec2Query request bodies into plain nested objects.
 * awsQuery lists are `Name.member.N`, maps `Name.entry.N.key/value`; ec2Query lists are `Name.N`.
 * An empty list arrives as `Name=` and decodes to "" (the parameter schemas turn "" into []).
 */
type Node = { [key: string]: Node | string };

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

export function decodeQuery(body: string): Record<string, unknown> {
  const root: Node = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split(".");
    if (parts.some((p) => FORBIDDEN.has(p) || p === "")) continue;
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        if (!(part in node)) node[part] = value;
        return;
      }
      const existing = node[part];
      if (typeof existing !== "object") node[part] = {};
      node = node[part] as Node;
    });
  }
  return normalize(root) as Record<string, unknown>;
}

const isIndex = (key: string) => /^[1-9][0-9]*$/.test(key);

function normalize(node: Node | string): unknown {
  if (typeof node === "string") return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === "member" && typeof node.member === "object") {
    return indexed(node.member);
  }
  if (keys.length === 1 && keys[0] === "entry" && typeof node.entry === "object") {
    const map = new Map<string, unknown>();
    for (const entry of indexed(node.entry)) {
      if (entry && typeof entry === "object" && "key" in entry) {
        const { key, value } = entry as { key: unknown; value?: unknown };
        map.set(String(key), value ?? "");
      }
    }
    return map;
  }
  if (keys.length > 0 && keys.every(isIndex)) return indexed(node);
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = normalize(node[key] as Node | string);
  return out;
}

function indexed(node: Node | string): unknown[] {
  if (typeof node === "string") return [];
  return Object.keys(node)
    .filter(isIndex)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => normalize(node[k] as Node | string));
}
