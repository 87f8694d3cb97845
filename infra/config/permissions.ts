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

export interface Permission {
  readonly name: string;
  readonly description: string;
}
