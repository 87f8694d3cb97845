import { structuredPatch } from "diff";
import { XMLValidator } from "fast-xml-parser";
import { parseXml, renderXml, type XmlNode } from "../infra/azure/xml";

// `npm run render -- --compare a b`: how two stacks' declarations differ, one line per resource
// or property; a value of several lines (an APIM policy document) as a line diff, so a reader
// sees the one line that differs instead of two escaped documents side by side.

/** What a comparison needs of a render: the stack's name and its resources. */
export interface ComparedStack {
  readonly stack: string;
  readonly resources: readonly {
    readonly type: string;
    readonly name: string;
    readonly protect: boolean;
    readonly inputs: unknown;
  }[];
}

/** Resource types whose `value` is an APIM policy document. */
export const POLICY_TYPES: ReadonlySet<string> = new Set([
  "azure-native:apimanagement:ApiPolicy",
  "azure-native:apimanagement:ApiOperationPolicy",
]);

/** Lines of context around each changed line of a multi-line value. */
const CONTEXT = 2;

function flatten(value: unknown, prefix: string, into: Map<string, unknown>): Map<string, unknown> {
  if (typeof value === "object" && value !== null && Object.keys(value).length > 0) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else {
    into.set(prefix, value);
  }
  return into;
}

type Node = Record<string, unknown>;

/** Whitespace-only text beside elements is the layout of the document, not its content. */
function withoutLayout(nodes: readonly Node[]): Node[] {
  const hasElements = nodes.some((node) => !("#text" in node));
  return nodes
    .filter((node) => !(hasElements && "#text" in node && String(node["#text"]).trim() === ""))
    .map((node) => {
      const tag = Object.keys(node).find((key) => key !== ":@" && key !== "#text");
      if (tag === undefined || !Array.isArray(node[tag])) return node;
      return { ...node, [tag]: withoutLayout(node[tag] as Node[]) };
    });
}

/**
 * A policy document laid out one element a line, as the program's renderer writes it, whatever
 * its source layout; text and attribute values are kept exactly (trimValues: false: whitespace in
 * `separator=" "` or in an element's text is meaning). Text that is not well-formed XML is
 * returned as it is.
 */
export function prettyXml(text: string): string {
  if (XMLValidator.validate(text) !== true) return text;
  return withoutLayout(parseXml(text))
    .map((node) => renderXml(node as XmlNode))
    .join("\n");
}

/** A one-line value as a line shows it; a string as JSON, so that spaces and quotes stay visible. */
function shown(value: unknown): string {
  return value === undefined ? "(unset)" : JSON.stringify(value);
}

/** A unified diff of two texts, indented under the line that names the property. */
function lineDiff(leftName: string, left: string, rightName: string, right: string): string[] {
  const patch = structuredPatch(leftName, rightName, left, right, undefined, undefined, { context: CONTEXT });
  return [
    `    --- ${leftName}`,
    `    +++ ${rightName}`,
    ...patch.hunks.flatMap((hunk) => [
      `    @@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`,
      ...hunk.lines.map((line) => `    ${line}`),
    ]),
  ];
}

function isMultiLine(value: unknown): value is string {
  return typeof value === "string" && value.includes("\n");
}

/** How two stacks' declarations differ: one line per resource or property, a line diff under a multi-line value. */
export function compareRenders(left: ComparedStack, right: ComparedStack): string[] {
  const key = (r: ComparedStack["resources"][number]) => `${r.type} ${r.name}`;
  const leftByKey = new Map(left.resources.map((r) => [key(r), r]));
  const rightByKey = new Map(right.resources.map((r) => [key(r), r]));
  const lines: string[] = [];
  for (const [id, l] of leftByKey) {
    const r = rightByKey.get(id);
    if (r === undefined) {
      lines.push(`- ${id}: only in ${left.stack}`);
      continue;
    }
    const a = flatten({ protect: l.protect, inputs: l.inputs }, "", new Map());
    const b = flatten({ protect: r.protect, inputs: r.inputs }, "", new Map());
    const policy = POLICY_TYPES.has(l.type);
    for (const property of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      let before = a.get(property);
      let after = b.get(property);
      if (policy && property === "inputs.value" && typeof before === "string" && typeof after === "string") {
        before = prettyXml(before);
        after = prettyXml(after);
      }
      if (shown(before) === shown(after)) continue;
      if (typeof before === "string" && typeof after === "string" && (isMultiLine(before) || isMultiLine(after))) {
        lines.push(`~ ${id} ${property}:`, ...lineDiff(left.stack, `${before}\n`, right.stack, `${after}\n`));
      } else {
        lines.push(`~ ${id} ${property}: ${left.stack} ${shown(before)} | ${right.stack} ${shown(after)}`);
      }
    }
  }
  for (const id of rightByKey.keys()) if (!leftByKey.has(id)) lines.push(`+ ${id}: only in ${right.stack}`);
  return lines;
}
