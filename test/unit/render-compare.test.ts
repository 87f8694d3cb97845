import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { element, renderXml, textElement, type XmlNode } from "../../infra/azure/xml";
import { compareRenders, prettyXml, POLICY_TYPES, type ComparedStack } from "../../stacks/render-compare";

const oneLine = (xml: string): string => xml.replace(/>\n\s*</g, "><");

const value = fc.stringMatching(/^[a-z =:./]{0,8}$/);
const tag = fc.constantFrom("policies", "inbound", "validate-jwt", "audience", "claim", "value", "base");
const tree: fc.Arbitrary<XmlNode> = fc.letrec<{ node: XmlNode }>((self) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc
      .tuple(tag, fc.dictionary(fc.constantFrom("id", "separator", "match"), value, { maxKeys: 2 }), value)
      .map(([t, a, text]) => textElement(t, text, a)),
    fc
      .tuple(
        tag,
        fc.dictionary(fc.constantFrom("id", "separator", "match"), value, { maxKeys: 2 }),
        fc.array(self("node"), { maxLength: 3 }),
      )
      .map(([t, a, children]) => element(t, a, children)),
  ),
})).node;

function policyStack(stack: string, xml: string): ComparedStack {
  return { stack, resources: [{ type: [...POLICY_TYPES][0] as string, name: "api-policy", protect: false, inputs: { value: xml } }] };
}

describe("render --compare", () => {
  test("a policy document is laid out one element a line, its values kept exactly, whatever its source layout", () => {
    fc.assert(
      fc.property(tree, (root) => {
        const pretty = renderXml(root);
        expect(prettyXml(oneLine(pretty))).toBe(pretty);
        expect(prettyXml(pretty)).toBe(pretty);
      }),
      { seed: 22, numRuns: 200 },
    );
  });

  test('whitespace is meaning: separator=" " and an element\'s spaces survive the layout', () => {
    const xml = '<policies><inbound><claim separator=" " match="any"><value> a b </value></claim></inbound></policies>';
    expect(prettyXml(xml)).toBe(
      [
        "<policies>",
        "    <inbound>",
        '        <claim separator=" " match="any">',
        "            <value> a b </value>",
        "        </claim>",
        "    </inbound>",
        "</policies>",
      ].join("\n"),
    );
  });

  test("text that is not XML is compared as it is", () => {
    expect(prettyXml("<policies><inbound></policies>")).toBe("<policies><inbound></policies>");
  });

  test("two policies that differ in one attribute show as one line removed and one added, not two escaped documents", () => {
    const left =
      "<policies><inbound><base/><audiences><audience>https://a.example/api</audience></audiences></inbound><outbound><base/></outbound></policies>";
    const right = left.replace("https://a.example/api", "https://b.example/api");
    const lines = compareRenders(policyStack("dev", left), policyStack("prod", right));
    expect(lines[0]).toBe(`~ ${[...POLICY_TYPES][0]} api-policy inputs.value:`);
    // The changed lines, without the ---/+++ header naming the stacks.
    expect(lines.filter((line) => /^ {4}[-+]/.test(line) && !/^ {4}(---|\+\+\+) /.test(line))).toEqual([
      "    -            <audience>https://a.example/api</audience>",
      "    +            <audience>https://b.example/api</audience>",
    ]);
    expect(lines.join("\n")).not.toContain("\\n");
  });

  test("policies that differ only in layout are the same", () => {
    const xml = "<policies><inbound><base/></inbound></policies>";
    expect(compareRenders(policyStack("dev", xml), policyStack("prod", prettyXml(xml)))).toEqual([]);
  });
});
