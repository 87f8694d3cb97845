import { defineConfig } from "vitest/config";

// `npm run test:browser`: a real headless Chromium (Debian's `chromium`, which .ci/run installs;
// playwright-core drives it, nothing is downloaded) signs a person in on the local Auth0's page.
// Outside `npm test`, which needs nothing but Node: a machine without Chromium still runs that.
// The files are `*.browser.ts`, which the default config does not match.
export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/browser/**/*.browser.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: false,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
