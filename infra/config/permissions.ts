/** The Timesheets API's permissions, as Auth0's Server + API scenario defines them. */
export const DEFAULT_PERMISSIONS = [
  { name: "batch:upload", description: "Upload timesheets in batches" },
  { name: "read:timesheets", description: "Read timesheets" },
  { name: "create:timesheets", description: "Create timesheets" },
  { name: "delete:timesheets", description: "Delete timesheets" },
  { name: "approve:timesheets", description: "Approve timesheets" },
] as const;

/** The import job only uploads batches: least privilege. */
export const DEFAULT_IMPORT_JOB_SCOPES = ["batch:upload"] as const;

/** A test user reads timesheets and nothing else: enough to prove a user's token passes the gateway, too little to change data. */
export const DEFAULT_TEST_USER_PERMISSIONS = ["read:timesheets"] as const;

export interface Permission {
  readonly name: string;
  readonly description: string;
}
