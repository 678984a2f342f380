import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        // Server, CLI, database and browser (e2e) tests: real PostgreSQL from the global setup.
        test: {
          name: 'node',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // expect.poll waits for a browser or a background job: 1 s (the default) is too short when two
          // browser tests and their servers share the two cores with the rest of the suite.
          expect: { poll: { timeout: 10_000 } },
        },
      },
      {
        // Component tests of the web app (React in jsdom); no database.
        plugins: [react()],
        test: {
          name: 'web',
          root: 'web',
          include: ['src/**/*.test.tsx'],
          environment: 'jsdom',
          setupFiles: ['src/test-setup.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
