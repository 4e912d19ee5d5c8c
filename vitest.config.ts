import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['contracts/src/**/*.spec.ts', 'packages/*/src/**/*.spec.ts', 'services/*/src/**/*.spec.ts', 'web/src/**/*.spec.ts', 'test/**/*.spec.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Generous: CI machines run this suite beside other work; a slow answer is not a failure, a wrong one is.
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
