import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_BUILD, refuseStaleBuild } from "./lib/build-stamp";
import { rules } from "./rules";

// The one module that builds the pack: the PolicyPack constructor starts the policy
// analyzer's gRPC server, so tests import ./rules and never this file.
// Run as policy/bin/index.js: never a build older than the sources.
refuseStaleBuild(POLICY_PACK_BUILD, __filename, 2);
new PolicyPack("timesheets-guardrails", {
  description: "Security guardrails for the Timesheets tenant (Auth0) and its API Management gateway.",
  enforcementLevel: "mandatory",
  policies: rules,
});
