import type { Policies } from "@pulumi/policy";
import { browserSignIn } from "./browser-sign-in";
import { clientGrantsLeastPrivilege } from "./grants";
import { machineToMachineClients } from "./clients";
import { policyConfigMatchesStack } from "./config-match";
import { databaseConnectionHardening } from "./connections";
import { apimJwtValidation } from "./gateway";
import { passwordGrants } from "./password-grants";
import { noUsersInProd, protectedInProd } from "./prod";
import { secretsNotInPlainText, secretsNotSupplied } from "./secrets";
import { resourceServerSigning } from "./signing";
import { tenantDomain } from "./tenant-domain";
import { timesheetsApiTokens } from "./tokens";

export {
  apimJwtValidation,
  browserSignIn,
  clientGrantsLeastPrivilege,
  databaseConnectionHardening,
  machineToMachineClients,
  noUsersInProd,
  passwordGrants,
  policyConfigMatchesStack,
  protectedInProd,
  resourceServerSigning,
  secretsNotInPlainText,
  secretsNotSupplied,
  tenantDomain,
  timesheetsApiTokens,
};

/** Every rule of the pack, in the order the table of docs/guardrails.md lists them. Tests run these; only ../index.ts builds the pack. */
export const rules: Policies = [
  policyConfigMatchesStack,
  tenantDomain,
  resourceServerSigning,
  timesheetsApiTokens,
  clientGrantsLeastPrivilege,
  machineToMachineClients,
  browserSignIn,
  passwordGrants,
  databaseConnectionHardening,
  noUsersInProd,
  protectedInProd,
  apimJwtValidation,
  secretsNotSupplied,
  secretsNotInPlainText,
];
