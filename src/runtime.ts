/**
 * The running system's real adapters, wired once: configuration, the database (embedded or
 * external, migrated), the PII cipher and the clock. CLI commands and the server receive a Runtime;
 * tests build one on their own database.
 */
import type pg from 'pg';
import { loadConfig, type Config } from './config.ts';
import { acquireDatabase, createPool, migrate, type DatabaseLease } from './db/index.ts';
import { PiiCipher, sealClearPhones } from './modules/portfolio/index.ts';
import { clockStartingAt, systemClock, type Clock } from './kernel/clock.ts';

export interface Runtime {
  config: Config;
  pool: pg.Pool;
  cipher: PiiCipher;
  clock: Clock;
  close(): Promise<void>;
}

export async function openRuntime(options: { env?: NodeJS.ProcessEnv; cwd?: string; log?: (msg: string) => void } = {}): Promise<Runtime> {
  const config = loadConfig(options.env ?? process.env, options.cwd);
  const lease = await acquireDatabase({ dataDir: config.dataDir, env: options.env ?? process.env, ...(options.log ? { log: options.log } : {}) });
  try {
    return await runtimeOn(lease.url, config, () => lease.release(), config.clockStart ? clockStartingAt(config.clockStart) : systemClock);
  } catch (e) {
    await lease.release();
    throw e;
  }
}

/** A runtime on a given database URL (tests, or after acquiring a lease). */
export async function runtimeOn(url: string, config: Config, onClose: () => Promise<void> = async () => {}, clock: Clock = systemClock): Promise<Runtime> {
  const pool = createPool(url);
  const cipher = new PiiCipher(config.piiKeys);
  const client = await pool.connect();
  try {
    await migrate(client);
    // Phones stored in clear before migration 0003 are sealed with the key, which only the
    // application holds; once done, later starts only read one catalog row.
    await sealClearPhones(client, cipher);
  } finally {
    client.release();
  }
  let closed = false;
  return {
    config,
    pool,
    cipher,
    clock,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
      await onClose();
    },
  };
}

export type { DatabaseLease };
