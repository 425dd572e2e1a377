/** The vendored form of an AWS API model: each operation's input shape and the constraints it reaches. */
export type Bounds = { min?: number; max?: number };

export interface MemberRef {
  target: string;
  required?: true;
  /** The member's wire name when the model renames it (awsQuery). */
  xmlName?: string;
}

export type VendoredShape =
  | { type: "structure"; members: Record<string, MemberRef> }
  | { type: "list"; member: string; memberXmlName?: string; length?: Bounds }
  | { type: "map"; key: string; value: string; length?: Bounds }
  | { type: "string"; length?: Bounds; pattern?: string }
  | { type: "enum"; values: string[] }
  | { type: "number"; integer: boolean; range?: Bounds }
  | { type: "other"; smithyType: string };

export interface VendoredModel {
  /** Where the constraints come from. */
  source: string;
  /** Operation name → its input shape (null: no input). */
  operations: Record<string, string | null>;
  shapes: Record<string, VendoredShape>;
}
