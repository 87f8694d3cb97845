import type { PolicyDocument, Statement } from "./policy-document";

/**
 * The policy API Management runs for a request: scopes from the outermost (global,
 * product, API) to the innermost (operation). In each section `<base/>` stands for the
 * enclosing scope's section, where it appears; a section without `<base/>` drops the
 * enclosing scope's policies. Above the outermost scope given there is nothing (an empty
 * global policy), so its `<base/>` contributes nothing.
 */
export function effectivePolicy(scopesOutermostFirst: readonly PolicyDocument[]): PolicyDocument {
  const empty: PolicyDocument = { inbound: [], backend: [], outbound: [], onError: [] };
  return scopesOutermostFirst.reduce(
    (enclosing, scope) => ({
      inbound: expand(scope.inbound, enclosing.inbound),
      backend: expand(scope.backend, enclosing.backend),
      outbound: expand(scope.outbound, enclosing.outbound),
      onError: expand(scope.onError, enclosing.onError),
    }),
    empty,
  );
}

function expand(statements: readonly Statement[], enclosing: readonly Statement[]): Statement[] {
  for (const statement of statements) {
    if (
      statement.kind === "choose" &&
      [...statement.when.flatMap((w) => w.statements), ...statement.otherwise].some((s) => s.kind === "base")
    ) {
      throw new Error("<base/> inside <choose> is outside the modelled subset");
    }
  }
  if (statements.filter((statement) => statement.kind === "base").length > 1) throw new Error("a section holds <base/> more than once");
  return statements.flatMap((statement) => (statement.kind === "base" ? [...enclosing] : [statement]));
}
