import type { Policies } from "@pulumi/policy";
import { clientGrantsLeastPrivilege } from "./grants";
import { machineToMachineClients } from "./clients";
import { policyConfigMatchesStack } from "./config-match";
import { databaseConnectionHardening } from "./connections";
import { apimJwtValidation } from "./gateway";
import { passwordGrants } from "./password-grants";
import { noUsersInProd, protectedInProd } from "./prod";
import { secretsNotInPlainText, secretsNotSupplied } from "./secrets";
import { resourceServerSigning } from "./signing";
import { timesheetsApiTokens } from "./tokens";

export {
  apimJwtValidation,
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
  timesheetsApiTokens,
};

/** Every rule of the pack, in the order the table of docs/guardrails.md lists them. Tests run these; only ../index.ts builds the pack. */
export const rules: Policies = [
  policyConfigMatchesStack,
  resourceServerSigning,
  timesheetsApiTokens,
  clientGrantsLeastPrivilege,
  machineToMachineClients,
  passwordGrants,
  databaseConnectionHardening,
  noUsersInProd,
  protectedInProd,
  apimJwtValidation,
  secretsNotSupplied,
  secretsNotInPlainText,
];
