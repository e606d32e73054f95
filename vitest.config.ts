import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tooling/**/*.test.ts', 'labs/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
