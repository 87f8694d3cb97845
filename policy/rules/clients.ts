import type { ResourceValidationPolicy } from "@pulumi/policy";
import { text, texts, type Props } from "../lib/props";
import { AUTH0, IMPORT_JOB, list } from "../lib/resources";

/** Where a browser flow would send a user or accept a request from; a machine client has none. */
const BROWSER_SETTINGS = ["callbacks", "webOrigins", "allowedOrigins", "allowedLogoutUrls"] as const;

/**
 * A machine-to-machine client (appType non_interactive, and the import job whatever it
 * declares) authenticates as itself and nothing else: no browser flows, nowhere to
 * redirect a user to.
 */
export const machineToMachineClients: ResourceValidationPolicy = {
  name: "machine-to-machine-clients",
  description:
    "Machine-to-machine clients (and the import job) are non_interactive, use client_credentials only, and have no callbacks, web origins or logout URLs.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== AUTH0.client) return;
    const props: Props = args.props;
    const appType = text(props, "appType");
    const isImportJob = args.name === IMPORT_JOB.clientResource || text(props, "name") === IMPORT_JOB.clientName;
    if (isImportJob && appType !== "non_interactive") {
      reportViolation(`the import job's client has appType ${appType ?? "not set"}; expected non_interactive`);
    }
    if (appType !== "non_interactive" && !isImportJob) return;

    const grantTypes = texts(props, "grantTypes");
    if (grantTypes === undefined) {
      reportViolation("grantTypes is not set; a machine-to-machine client declares exactly [client_credentials]");
    } else if (grantTypes.length !== 1 || grantTypes[0] !== "client_credentials") {
      reportViolation(`grantTypes is ${list(grantTypes)}; a machine-to-machine client uses client_credentials only`);
    }
    for (const setting of BROWSER_SETTINGS) {
      const values = texts(props, setting) ?? [];
      if (values.length > 0) {
        reportViolation(`${setting} lists ${list(values)}; a machine-to-machine client has no browser flow and needs none`);
      }
    }
  },
};
