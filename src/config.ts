/**
 * Configuration from the environment (docs/configuration.md lists every variable). Read once by the
 * composition roots (cli.ts, server.ts); nothing else reads process.env.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Config {
  /** Where the embedded PostgreSQL cluster, its credentials and the generated PII key live. */
  dataDir: string;
  /** An external PostgreSQL server; when unset the embedded one is used. */
  databaseUrl: string | null;
  port: number;
  host: string;
  logLevel: string;
  /** The bank's home time zone: what "today" means for business dates (default Asia/Shanghai). */
  timeZone: string;
  /** Accounts in the demo portfolio `npm start` loads into an empty database (0 = none). */
  demoAccounts: number;
  demoSeed: number;
  /** 32-byte key for national-id encryption; from RECOURSE_PII_KEY or generated once into the data dir. */
  piiKey: Buffer;
  /** Compliance pack used when a request names none (cn, us-regf, uk-conc). */
  compliancePack: string;
  /** Bank override files layered on the compliance packs (each may only narrow its pack). */
  complianceOverrides: string[];
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${JSON.stringify(text)}: must be a whole number between ${min} and ${max}`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const dataDir = resolve(cwd, env.RECOURSE_DATA_DIR || '.recourse');
  return {
    dataDir,
    databaseUrl: env.DATABASE_URL || null,
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    logLevel: env.LOG_LEVEL || 'info',
    timeZone: timeZone(env.RECOURSE_TIME_ZONE || 'Asia/Shanghai'),
    demoAccounts: integer(env, 'RECOURSE_DEMO_ACCOUNTS', 2000, 0, 10_000_000),
    demoSeed: integer(env, 'RECOURSE_DEMO_SEED', 1, 0, 2 ** 31 - 1),
    piiKey: piiKey(env, dataDir),
    compliancePack: packId(env.RECOURSE_COMPLIANCE_PACK || 'cn'),
    complianceOverrides: (env.RECOURSE_COMPLIANCE_OVERRIDES || '').split(',').map((f) => f.trim()).filter(Boolean).map((f) => resolve(cwd, f)),
  };
}

function piiKey(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  const text = env.RECOURSE_PII_KEY;
  if (text) {
    const key = Buffer.from(text, 'base64');
    if (key.length !== 32) throw new ConfigError('RECOURSE_PII_KEY: must be the base64 of exactly 32 bytes (openssl rand -base64 32)');
    return key;
  }
  // Development default: a random key kept beside the data it protects. Production sets RECOURSE_PII_KEY.
  const file = join(dataDir, 'pii.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new ConfigError(`${file}: not a base64 32-byte key`);
  return key;
}

function packId(name: string): string {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(name)) throw new ConfigError(`RECOURSE_COMPLIANCE_PACK=${JSON.stringify(name)}: not a pack id such as cn, us-regf or uk-conc`);
  return name;
}

function timeZone(name: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name;
  } catch {
    throw new ConfigError(`RECOURSE_TIME_ZONE=${JSON.stringify(name)}: not an IANA time zone such as Asia/Shanghai`);
  }
}
