import { defineConfig } from 'vitest/config'

const globalSetup = ['packages/core/test/helpers/global-setup.ts']

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'api',
          include: [
            'packages/core/test/**/*.test.ts',
            'packages/module-*/test/**/*.test.ts',
            'tests/api/**/*.test.ts',
          ],
          globalSetup,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      'packages/frontend/vitest.config.ts',
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          globalSetup,
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
