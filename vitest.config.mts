import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/support/build-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Vitest's default in a run is one worker less than the cores: one worker on a two-core
    // machine. Much of the suite waits on loopback servers and child processes, so every core
    // gets a worker (a third file in flight gained nothing on two cores, measured).
    maxWorkers: Math.max(2, availableParallelism()),
    // A worker keeps its module cache from file to file: @pulumi/pulumi and the provider SDKs are
    // loaded once per worker instead of once per file, which was a third of the run. Every test
    // sets the state it needs (Pulumi's mocks and config are set per program run).
    isolate: false,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
