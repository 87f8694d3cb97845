import { afterAll, describe, expect, it } from "vitest";
import {
  closeReplayStandIns,
  DEFAULT_RECORDINGS_DIR,
  formatReplay,
  recordingFiles,
  recordingsDir,
  replayRecording,
  replayTotals,
  type ReplayResult,
} from "./recordings.js";

// Fidelity, measured: every recording of real Auth0 traffic (the shared folder, subfolders
// included, or AUTH0_RECORDINGS_DIR) is replayed in order and the stand-in's answers are
// compared with Auth0's (status and JSON body, ids mapped, IGNORED_FIELDS masked).
//
// Each shared recording is held to its own floor, so that a regression in one file cannot hide
// in the total: [matched, in scope] as last measured. The in-scope count must stay exactly as
// recorded (scope is decided by kind, from the request; a change there is a change of rules, not
// a result). Raise a floor when the stand-in gets better; never lower one to make a test pass.
const FLOORS: Readonly<Record<string, readonly [matched: number, inScope: number]>> = {
  "TestAccClientCredentialsImport.yaml": [40, 40],
  "TestAccClientGrant.yaml": [89, 89],
  "TestAccClientResourceServer.yaml": [8, 8],
  "TestAccConnection.yaml": [9, 9],
  "TestAccConnectionClients.yaml": [58, 58],
  "TestAccResourceServer.yaml": [39, 39],
  "TestAccResourceServerScopes.yaml": [72, 72],
  "TestAccUser.yaml": [22, 22],
  "extended/TestAccAllowUpdatingTheClientSecret.yaml": [4, 12],
  "extended/TestAccClientAuthenticationMethodsPrivateKeyJWT.yaml": [100, 100],
  "extended/TestAccClientAuthenticationMethodsSelfSignedTLSClientAuth.yaml": [58, 58],
  "extended/TestAccClientAuthenticationMethodsSignedRequestObject.yaml": [113, 113],
  "extended/TestAccClientConfig.yaml": [12, 12],
  "extended/TestAccClientCredentialsPrivateKeyJWTFullRotation.yaml": [46, 46],
  "extended/TestAccClientCredentialsTokenVaultPrivilegedAccess.yaml": [86, 86],
  "extended/TestAccClientCredentialsWriteOnlySecret.yaml": [19, 19],
  "extended/TestAccClientExpressApp.yaml": [17, 17],
  "extended/TestAccClientFedCMLogin.yaml": [17, 17],
  "extended/TestAccClientIdentityAssertionAuthorizationGrant.yaml": [17, 17],
  "extended/TestAccClientJWTConfiguration.yaml": [16, 16],
  "extended/TestAccClientMobile.yaml": [16, 16],
  "extended/TestAccClientOIDCLogout.yaml": [13, 13],
  "extended/TestAccClientOnBehalfOfTokenExchange.yaml": [8, 8],
  "extended/TestAccClientRefreshToken.yaml": [26, 26],
  "extended/TestAccClientTokenQuota.yaml": [13, 13],
  "extended/TestAccConnectionAddEmailAttributeNonUnique.yaml": [2, 7],
  "extended/TestAccConnectionClientsImport.yaml": [16, 16],
  "extended/TestAccConnectionOptionsAttrEmail.yaml": [6, 6],
  "extended/TestAccConnectionOptionsAttrInactiveSignUpNegative.yaml": [1, 1],
  "extended/TestAccConnectionOptionsAttrPhoneNumber.yaml": [6, 6],
  "extended/TestAccConnectionOptionsAttrSetValidationNegative.yaml": [1, 1],
  "extended/TestAccConnectionPasswordHash.yaml": [4, 4],
  "extended/TestAccConnectionPasswordOptions.yaml": [9, 9],
  "extended/TestAccDataClientById.yaml": [1, 8],
  "extended/TestAccDataClientHideClientSecret.yaml": [1, 8],
  "extended/TestAccDataClients.yaml": [31, 31],
  "extended/TestAccDataSourceClientGrants.yaml": [40, 40],
  "extended/TestAccDataSourceClientNonexistentID.yaml": [1, 1],
  "extended/TestAccDataSourceConnection.yaml": [32, 35],
  "extended/TestAccDataSourceUser.yaml": [69, 88],
  "extended/TestAccGlobalClient.yaml": [12, 12],
  "extended/TestAccResourceServerAuth0APIManagementImport.yaml": [0, 3],
  "extended/TestAccResourceServerIsSystem.yaml": [4, 4],
  "extended/TestAccResourceServer_ACR.yaml": [1, 4],
  "extended/TestAccUserChangeUsername.yaml": [9, 9],
  "extended/TestAccUserPermission.yaml": [89, 120],
  "extended/TestAccUserRole.yaml": [116, 116],
};

/**
 * The share of in-scope interactions that must match over all recordings replayed. Auth0's own
 * answers changed between the recording dates (resource servers gained
 * `subject_type_authorization`, clients `cross_origin_authentication`, new database connections
 * `password_options`); a request does not say which Auth0 answered it, so the stand-in models
 * the behaviour most recordings show and the older answers stay mismatches.
 */
const TOTAL_FLOOR = 0.94;

const results: ReplayResult[] = [];
const dir = recordingsDir();
const sharedRecordings = dir === DEFAULT_RECORDINGS_DIR;

describe("conformance with recorded Auth0 Management API traffic", () => {
  const files = recordingFiles(dir);

  it("finds the recordings, each shared one with a floor", () => {
    expect(files.length).toBeGreaterThan(0);
    if (sharedRecordings) expect(files.filter((file) => FLOORS[file] === undefined)).toEqual([]);
  });

  it.each(files)("replays %s at or above its floor", async (file) => {
    const result = await replayRecording(file, dir);
    results.push(result);
    const floor = FLOORS[file];
    if (floor && result.matched < floor[0]) {
      for (const mismatch of result.mismatches) {
        console.log(
          `  mismatch ${file} #${mismatch.index} ${mismatch.request}: ${mismatch.actualStatus} (recorded ${mismatch.expectedStatus})`,
        );
        console.log(`    recorded: ${JSON.stringify(mismatch.expected)}`);
        console.log(`    stand-in: ${JSON.stringify(mismatch.actual)}`);
      }
    }
    expect(result.inScope + result.outOfScope.length).toBeGreaterThan(0);
    if (floor) {
      expect(result.inScope, "in-scope interactions").toBe(floor[1]);
      expect(result.matched, "matched interactions").toBeGreaterThanOrEqual(floor[0]);
    }
  });

  it(`matches at least ${TOTAL_FLOOR * 100}% of in-scope interactions over all recordings`, () => {
    const { inScope, matched } = replayTotals(results);
    expect(results).toHaveLength(files.length);
    expect(inScope).toBeGreaterThan(0);
    expect(matched / inScope).toBeGreaterThanOrEqual(TOTAL_FLOOR);
  });

  afterAll(async () => {
    await closeReplayStandIns();
    console.log(formatReplay([...results].sort((a, b) => a.file.localeCompare(b.file))));
  });
});
