import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Engine tests drive the real Pulumi CLI; each file gets its own process.
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two cores: run files two at a time.
    maxWorkers: 2,
  },
});
