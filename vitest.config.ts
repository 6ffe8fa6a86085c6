import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["spec/**/*.spec.ts"],
    globalSetup: ["spec/support/global-setup.ts"],
    pool: "forks",
    // One file at a time in each vitest: sandbox files share account names and uids, and
    // scripts/test.mjs already runs the groups that may overlap side by side.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
