import { defineConfig } from "vitest/config";

// `npm run test:engine`: the real Pulumi CLI built by `npm run engine:build` (it needs Go), so
// outside `npm test`. The files are `*.engine.ts`, which the default config does not match.
export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/engine/**/*.engine.ts"],
    globalSetup: ["./test/support/build-setup.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
