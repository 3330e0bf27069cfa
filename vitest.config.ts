import { defineConfig } from 'vitest/config';

// Every test is test/**/*.test.ts, in one of these projects (`--project unit` etc. picks one).
// `npm test` (scripts/test.mjs) runs them all, with a throwaway PostgreSQL server for the PostgreSQL suite;
// `npm run test:unit` runs the unit project alone.
// Note: a project's `include` would be appended to a root-level `include` (extends: true merges arrays), so
// the patterns live in the projects only.
export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    watch: false,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'other',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', 'test/integration/**', 'test/e2e/**', '**/node_modules/**'],
        },
      },
    ],
  },
});
