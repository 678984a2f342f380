/**
 * One PostgreSQL server per test run: the embedded one in a temporary data directory, or the server
 * named by DATABASE_URL. A migrated template database is built once; each test file clones it
 * (test/support/database.ts), so files never see each other's data.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { acquireDatabase, adminUrl, migrate, withDatabase } from '../src/db/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'recourse-test-'));
  const lease = await acquireDatabase({ dataDir, env: process.env });
  const template = `recourse_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl(lease.url) });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  const client = new pg.Client({ connectionString: withDatabase(lease.url, template) });
  await client.connect();
  await migrate(client);
  await client.end();
  project.provide('databaseUrl', lease.url);
  project.provide('templateDatabase', template);
  return async () => {
    await admin.query(`drop database if exists ${template} with (force)`).catch(() => {});
    await admin.end();
    await lease.release();
    await rm(dataDir, { recursive: true, force: true });
  };
}
