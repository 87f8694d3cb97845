import { XMLParser, XMLValidator } from "fast-xml-parser";
import { isRecord } from "./props";

/** An element of an API Management policy document, as a plain tree. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text, trimmed (an audience or issuer is compared as written, without the indentation around it). */
  readonly text: string;
}

const TEXT = "#text";
const ATTRIBUTES = ":@";

// preserveOrder gives one uniform shape for every element ({ name: children, ":@": attributes }),
// and values stay strings: a policy compares them as written. Whitespace is kept, as the
// program's renderer reads it back (infra/azure/xml.ts): trimming would turn separator=" "
// into separator="", and a whole-word permission check into one that is not.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
});

/** The document's root element, or the parser's reason why the text is not XML. */
export function parseXml(xml: string): XmlElement | { readonly error: string } {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { error: `${valid.err.msg} (line ${valid.err.line})` };
  const roots = toElements(parser.parse(xml));
  const root = roots[0];
  return roots.length === 1 && root !== undefined ? root : { error: "expected exactly one root element" };
}

function toElements(nodes: unknown): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  const elements: XmlElement[] = [];
  for (const node of nodes) {
    if (!isRecord(node)) continue;
    const name = Object.keys(node).find((key) => key !== ATTRIBUTES && key !== TEXT);
    if (name === undefined) continue;
    const content = node[name];
    const attributes = isRecord(node[ATTRIBUTES]) ? stringValues(node[ATTRIBUTES]) : {};
    elements.push({ name, attributes, children: toElements(content), text: textOf(content) });
  }
  return elements;
}

function stringValues(values: Readonly<Record<string, unknown>>): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (typeof value === "string") strings[key] = value;
  return strings;
}

function textOf(content: unknown): string {
  if (!Array.isArray(content)) return "";
  return content
    .map((node) => (isRecord(node) && typeof node[TEXT] === "string" ? node[TEXT] : ""))
    .join("")
    .trim();
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

/** `path` followed from `element`, every match at each step. */
export function descendants(element: XmlElement, ...path: string[]): XmlElement[] {
  let level = [element];
  for (const name of path) level = level.flatMap((parent) => childrenNamed(parent, name));
  return level;
}
