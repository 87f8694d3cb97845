import { defineConfig } from "vitest/config";

// `npm run test:clients`: real clients no one here wrote (the Auth0 Deploy CLI), run as child
// processes against the local Auth0 over HTTPS. They pace themselves (the Deploy CLI to 8
// requests a second), so a run takes tens of seconds: outside `npm test`, in `.ci/run` after it.
// The files are `*.client.ts`, which the default config does not match.
export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/clients/**/*.client.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: false,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
