// Redis is the one server no npm package ships. Without redis-server on PATH a local run skips
// the test files that need it and says so in one line at the end; under CI=true nothing is
// skipped, so global-setup.ts fails to start Redis and the run fails: CI never passes on fewer tests.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter } from 'vitest/node';
import { findBinary, REDIS_INSTALL } from './processes.js';

/** What a test file that needs Redis contains: the harness's Redis URL, a Redis-backed app, its own redis-server, or the port contracts. */
const NEEDS_REDIS = /redis: true|inject\('redisUrl'\)|startRedis\(|from '\.\/ports\.js'/;

export interface RedisRequirement {
  /** Test files to leave out of this run (relative to the root); empty when Redis is installed or under CI. */
  skipped: string[];
  reporter: Reporter;
}

export function redisRequirement(root: string, testDirs: string[], suffix = '.test.ts'): RedisRequirement {
  const skipped = findBinary('redis-server') || process.env.CI === 'true' ? [] : filesNeedingRedis(root, testDirs, suffix);
  return {
    skipped,
    reporter: {
      onTestRunEnd() {
        if (skipped.length === 0) return;
        console.warn(
          `\n${skipped.length} test file${skipped.length === 1 ? '' : 's'} skipped: they need redis-server, which is not on PATH. Install it: ${REDIS_INSTALL}`,
        );
      },
    },
  };
}

function filesNeedingRedis(root: string, testDirs: string[], suffix: string): string[] {
  return testDirs.flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
      .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
      .filter((file) => NEEDS_REDIS.test(readFileSync(path.join(root, file), 'utf8'))),
  );
}
