import { PolicyPack } from "@pulumi/policy";
import { rules } from "./rules";

// The one module that builds the pack: the PolicyPack constructor starts the policy
// analyzer's gRPC server, so tests import ./rules and never this file.
new PolicyPack("timesheets-guardrails", {
  description: "Security guardrails for the Timesheets tenant (Auth0) and its API Management gateway.",
  enforcementLevel: "mandatory",
  policies: rules,
});
