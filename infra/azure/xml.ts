import { XMLBuilder, XMLParser } from "fast-xml-parser";

/**
 * An XML element in the shape fast-xml-parser's builder takes when it keeps document
 * order (`preserveOrder`): `{ [tag]: children, ":@": attributes }`. Order matters in
 * an APIM policy: `<base/>` runs where it stands, and validate-jwt reads its child
 * elements in the order its reference gives.
 */
export type XmlNode = { readonly [tag: string]: readonly XmlNode[] | Readonly<Record<string, string>> } | { readonly "#text": string };

/** An element; attribute values are escaped by the builder, never by hand. */
export function element(
  tag: string,
  attributes: Readonly<Record<string, string | number | boolean>> = {},
  children: readonly XmlNode[] = [],
): XmlNode {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return { [tag]: children };
  return { [tag]: children, ":@": Object.fromEntries(entries.map(([name, value]) => [name, String(value)])) };
}

/** An element holding only text (escaped by the builder). */
export function textElement(tag: string, text: string, attributes: Readonly<Record<string, string>> = {}): XmlNode {
  return element(tag, attributes, [{ "#text": text }]);
}

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  format: true,
  indentBy: "    ",
  // `<base/>`, not `<base></base>`: the form Microsoft's documentation writes.
  suppressEmptyNode: true,
  // The default renders `flag="true"` as a bare `flag`, which is not XML.
  suppressBooleanAttributes: false,
});

/** Renders one document. Same nodes, same bytes: the output has no timestamps, ids or map-order effects. */
export function renderXml(root: XmlNode): string {
  return (builder.build([root]) as string).trim();
}

/** A parsed element, in the same order-preserving shape: `{ [tag]: children, ":@": attributes }`. */
export type ParsedXmlNode = Record<string, unknown>;

// Values are kept as written: trimming would turn separator=" " into separator="", which is
// not what API Management reads.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
});

/** Parses a policy document the way the renderer's output is meant to be read back. */
export function parseXml(text: string): ParsedXmlNode[] {
  return parser.parse(text) as ParsedXmlNode[];
}
