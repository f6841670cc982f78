import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { redisRequirement } from './test/harness/redis-requirement.js';

const redis = redisRequirement(import.meta.dirname, ['src', 'test']);

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...redis.skipped],
    globalSetup: ['test/harness/global-setup.ts'],
    setupFiles: ['test/harness/response-contract-setup.ts'],
    reporters: ['default', redis.reporter],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One test file per core (vitest's default leaves one core free): the files spend much of
    // their time waiting on the servers and processes they start.
    maxWorkers: availableParallelism(),
  },
});
