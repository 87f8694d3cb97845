import { type Build, PROGRAM_BUILD } from "../../infra/build-stamp";
import { POLICY_PACK_BUILD } from "../../policy/lib/build-stamp";

// The digest and staleness rules live with the program (infra/build-stamp.ts), which refuses
// to run a stale build of itself; the pack keeps a copy (policy/lib/build-stamp.ts), pinned to
// it by test/unit/build.test.ts.
export { POLICY_PACK_BUILD };
export { isStale, PROGRAM_BUILD, sourceDigest, sourceFiles, stampedDigest, STAMP_FILE, type Build } from "../../infra/build-stamp";

export const BUILDS: readonly Build[] = [PROGRAM_BUILD, POLICY_PACK_BUILD];
