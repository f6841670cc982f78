// One PostgreSQL and one Redis for the whole run. Test files get their own database
// (createDatabase) and their own Redis key prefix (uniquePrefix), so they can run in parallel.
import type { TestProject } from 'vitest/node';
import { startPostgres, startRedis } from './processes.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  project.provide('postgresUrl', postgres.url);
  project.provide('redisUrl', redis.url);
  return async () => {
    await Promise.all([postgres.destroy(), redis.destroy()]);
  };
}
