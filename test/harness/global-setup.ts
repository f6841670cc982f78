// One PostgreSQL and one Redis for the whole run. Test files get their own database
// (createDatabase) and their own Redis key prefix (uniquePrefix), so they can run in parallel.
// Without redis-server (and not under CI) vitest.config.ts has left out the files that need
// Redis and redisUrl is empty. Whatever started before a failure is stopped again.
import type { TestProject } from 'vitest/node';
import { findBinary, startPostgres, startRedis } from './processes.js';
import { createTemplates, type Templates } from './templates.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    redisUrl: string;
    /** A migrated PGlite data dir (templates.ts). */
    pgliteTemplateFile: string;
  }
}

export default async function setup(project: TestProject) {
  const needRedis = findBinary('redis-server') !== undefined || process.env.CI === 'true';
  const started = await Promise.allSettled([startPostgres(), needRedis ? startRedis() : undefined]);
  let templates: Templates | undefined;
  const destroy = async () => {
    await templates?.destroy();
    await Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value?.destroy() : undefined)));
  };
  try {
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const [postgres, redis] = started.map((result) => (result as PromiseFulfilledResult<{ url: string } | undefined>).value);
    templates = await createTemplates(postgres!.url);
    project.provide('postgresUrl', postgres!.url);
    project.provide('redisUrl', redis?.url ?? '');
    project.provide('pgliteTemplateFile', templates.pgliteFile);
  } catch (error) {
    await destroy();
    throw error;
  }
  return destroy;
}
