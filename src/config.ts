/**
 * Configuration from the environment (docs/configuration.md lists every variable). Read once by the
 * composition roots (cli.ts, server.ts); nothing else reads process.env.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHmac } from 'node:crypto';
import { Temporal } from 'temporal-polyfill';

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
  /**
   * PII keys (national ids, phones, TOTP secrets): RECOURSE_PII_KEYS ("id:base64,…", the first is
   * active), or RECOURSE_PII_KEY (id "default"), or a key generated once into the data dir (id
   * "default"); the blind-index key from RECOURSE_PII_INDEX_KEY or derived from the "default" key.
   */
  piiKeys: { activeKeyId: string; keys: Record<string, Buffer>; indexKey: Buffer };
  /** HTTP requests per minute per user (per IP when unauthenticated); login attempts per minute per IP. */
  rateLimitPerMinute: number;
  /** HTTP requests per minute per IP address, whoever is logged in (a shared office NAT needs headroom). */
  ipRateLimitPerMinute: number;
  loginRateLimitPerMinute: number;
  /** Session lifetime: ends after this many idle minutes, and at the latest this many hours after login. */
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /** Password of the bootstrap admin created on first start (generated and printed once when unset). */
  adminPassword: string | null;
  /** Password of the demo users created with the demo portfolio (generated and printed once when unset). */
  demoPassword: string | null;
  /** Compliance pack used when a request names none (cn, us-regf, uk-conc). */
  compliancePack: string;
  /** Bank override files layered on the compliance packs (each may only narrow its pack). */
  complianceOverrides: string[];
  /** The browser app under /app/: build it when stale then serve it (default), serve web/dist as it is, or no app (API only). */
  webApp: WebAppMode;
  /** Templates' bank settings, the dispatcher job and the channel providers (docs/configuration.md). */
  communications: CommunicationsConfig;
  /** Local time ("HH:MM", RECOURSE_TIME_ZONE) the server runs the daily cycle; null = no schedule. */
  cycleSchedule: string | null;
  /**
   * RECOURSE_CLOCK_START: an ISO instant the system clock starts at (then runs on in real time), for
   * demos and browser tests that need, say, office hours in the debtors' time zone. Unset = the real clock.
   */
  clockStart: Date | null;
}

export const WEB_APP_MODES = ['build', 'serve', 'off'] as const;
export type WebAppMode = (typeof WEB_APP_MODES)[number];

function webAppMode(text: string | undefined): WebAppMode {
  if (text === undefined || text === '') return 'build';
  if ((WEB_APP_MODES as readonly string[]).includes(text)) return text as WebAppMode;
  throw new ConfigError(`RECOURSE_WEB_APP=${JSON.stringify(text)}: must be one of ${WEB_APP_MODES.join(', ')}`);
}

export interface CommunicationsConfig {
  /** The bank's details templates read (official hotline and URL …): a JSON file, else policies/bank.json. */
  bankSettingsFile: string | null;
  /** Where this server is reached from outside (one-click unsubscribe links in e-mails). */
  publicUrl: string;
  dispatcher: { enabled: boolean; intervalMs: number; batchSize: number; leaseMs: number; maxAttempts: number; backoffBaseMs: number; backoffMaxMs: number };
  sms: {
    provider: 'smpp' | 'console' | 'none';
    smpp: { host: string; port: number; systemId: string; password: string; systemType: string; sourceAddr: string; window: number } | null;
    ratePerSecond: number | null;
  };
  email: { provider: 'smtp' | 'console' | 'none'; smtpUrl: string | null; from: string; domain: string; unsubscribeMailto: string | null; ratePerSecond: number | null; maxConnections: number };
  letter: { provider: 'print' | 'console' | 'none' };
  voice: { provider: 'simulator' | 'console' | 'none'; ratePerSecond: number | null };
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
    piiKeys: piiKeys(env, dataDir),
    rateLimitPerMinute: integer(env, 'RECOURSE_RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    ipRateLimitPerMinute: integer(env, 'RECOURSE_IP_RATE_LIMIT_PER_MINUTE', 3000, 1, 10_000_000),
    loginRateLimitPerMinute: integer(env, 'RECOURSE_LOGIN_RATE_LIMIT_PER_MINUTE', 20, 1, 1_000_000),
    sessionIdleMinutes: integer(env, 'RECOURSE_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionMaxHours: integer(env, 'RECOURSE_SESSION_MAX_HOURS', 12, 1, 24 * 30),
    adminPassword: secret(env, 'RECOURSE_ADMIN_PASSWORD'),
    demoPassword: secret(env, 'RECOURSE_DEMO_PASSWORD'),
    compliancePack: packId(env.RECOURSE_COMPLIANCE_PACK || 'cn'),
    complianceOverrides: (env.RECOURSE_COMPLIANCE_OVERRIDES || '').split(',').map((f) => f.trim()).filter(Boolean).map((f) => resolve(cwd, f)),
    webApp: webAppMode(env.RECOURSE_WEB_APP),
    communications: communicationsConfig(env, cwd),
    cycleSchedule: cycleSchedule(env.RECOURSE_CYCLE_SCHEDULE ?? '02:00'),
    clockStart: clockStart(env.RECOURSE_CLOCK_START),
  };
}

function choiceOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!(allowed as readonly string[]).includes(text)) throw new ConfigError(`${name}=${JSON.stringify(text)}: must be one of ${allowed.join(', ')}`);
  return text as T;
}

function rate(env: NodeJS.ProcessEnv, name: string): number | null {
  const n = integer(env, name, 0, 0, 1_000_000);
  return n === 0 ? null : n;
}

/** The communications settings (bank settings file, dispatcher job, providers) from the environment. */
export function communicationsConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): CommunicationsConfig {
  const smsProvider = choiceOf(env, 'RECOURSE_SMS_PROVIDER', ['smpp', 'console', 'none'] as const, 'console');
  let smpp: CommunicationsConfig['sms']['smpp'] = null;
  if (smsProvider === 'smpp') {
    const url = env.RECOURSE_SMPP_URL;
    const m = url ? /^smpp:\/\/([^/:]+):(\d{1,5})\/?$/.exec(url) : null;
    if (!m) throw new ConfigError(`RECOURSE_SMPP_URL=${JSON.stringify(url ?? '')}: RECOURSE_SMS_PROVIDER=smpp needs smpp://host:port`);
    if (!env.RECOURSE_SMPP_SYSTEM_ID || !env.RECOURSE_SMPP_PASSWORD) throw new ConfigError('RECOURSE_SMS_PROVIDER=smpp needs RECOURSE_SMPP_SYSTEM_ID and RECOURSE_SMPP_PASSWORD');
    smpp = {
      host: m[1]!, port: Number(m[2]), systemId: env.RECOURSE_SMPP_SYSTEM_ID, password: env.RECOURSE_SMPP_PASSWORD, systemType: env.RECOURSE_SMPP_SYSTEM_TYPE ?? '',
      sourceAddr: env.RECOURSE_SMPP_SOURCE_ADDR || '95500', window: integer(env, 'RECOURSE_SMPP_WINDOW', 200, 1, 10_000),
    };
  }
  const emailProvider = choiceOf(env, 'RECOURSE_EMAIL_PROVIDER', ['smtp', 'console', 'none'] as const, 'console');
  if (emailProvider === 'smtp' && !/^smtps?:\/\//.test(env.RECOURSE_SMTP_URL ?? '')) throw new ConfigError('RECOURSE_EMAIL_PROVIDER=smtp needs RECOURSE_SMTP_URL=smtp://[user:pass@]host:port (or smtps://)');
  const publicUrl = env.RECOURSE_PUBLIC_URL || 'http://localhost:3000';
  if (!/^https?:\/\/[^\s]+$/.test(publicUrl)) throw new ConfigError(`RECOURSE_PUBLIC_URL=${JSON.stringify(publicUrl)}: not an http(s) URL`);
  return {
    bankSettingsFile: env.RECOURSE_BANK_SETTINGS ? resolve(cwd, env.RECOURSE_BANK_SETTINGS) : null,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    dispatcher: {
      enabled: choiceOf(env, 'RECOURSE_DISPATCHER', ['on', 'off'] as const, 'on') === 'on',
      intervalMs: integer(env, 'RECOURSE_DISPATCH_INTERVAL_MS', 1_000, 10, 3_600_000),
      batchSize: integer(env, 'RECOURSE_DISPATCH_BATCH', 500, 1, 10_000),
      leaseMs: integer(env, 'RECOURSE_DISPATCH_LEASE_MS', 600_000, 1_000, 86_400_000),
      maxAttempts: integer(env, 'RECOURSE_DISPATCH_MAX_ATTEMPTS', 5, 1, 100),
      backoffBaseMs: integer(env, 'RECOURSE_DISPATCH_BACKOFF_BASE_MS', 30_000, 1, 86_400_000),
      backoffMaxMs: integer(env, 'RECOURSE_DISPATCH_BACKOFF_MAX_MS', 3_600_000, 1, 7 * 86_400_000),
    },
    sms: { provider: smsProvider, smpp, ratePerSecond: rate(env, 'RECOURSE_SMS_RATE_PER_SECOND') },
    email: {
      provider: emailProvider, smtpUrl: env.RECOURSE_SMTP_URL || null, from: env.RECOURSE_EMAIL_FROM || 'Demo Bank Card Centre <cards@bank.example>',
      domain: env.RECOURSE_EMAIL_DOMAIN || 'bank.example', unsubscribeMailto: env.RECOURSE_EMAIL_UNSUBSCRIBE_MAILTO || null,
      ratePerSecond: rate(env, 'RECOURSE_EMAIL_RATE_PER_SECOND'), maxConnections: integer(env, 'RECOURSE_SMTP_MAX_CONNECTIONS', 5, 1, 100),
    },
    letter: { provider: choiceOf(env, 'RECOURSE_LETTER_PROVIDER', ['print', 'console', 'none'] as const, 'print') },
    voice: { provider: choiceOf(env, 'RECOURSE_VOICE_PROVIDER', ['simulator', 'console', 'none'] as const, 'simulator'), ratePerSecond: rate(env, 'RECOURSE_VOICE_RATE_PER_SECOND') },
  };
}

function secret(env: NodeJS.ProcessEnv, name: string): string | null {
  const text = env[name];
  if (text === undefined || text === '') return null;
  if (text.length < 12 || text.length > 256) throw new ConfigError(`${name}: must be 12 to 256 characters long`);
  return text;
}

function base64Key(text: string, what: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== text.trim().replace(/=+$/, '')) {
    throw new ConfigError(`${what}: must be the base64 of exactly 32 bytes (openssl rand -base64 32)`);
  }
  return key;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

function piiKeys(env: NodeJS.ProcessEnv, dataDir: string): Config['piiKeys'] {
  const keys: Record<string, Buffer> = {};
  let activeKeyId = 'default';
  if (env.RECOURSE_PII_KEYS) {
    if (env.RECOURSE_PII_KEY) throw new ConfigError('set RECOURSE_PII_KEYS or RECOURSE_PII_KEY, not both (the single key is "default:<key>" in RECOURSE_PII_KEYS)');
    const entries = env.RECOURSE_PII_KEYS.split(',').map((e) => e.trim()).filter(Boolean);
    if (entries.length === 0) throw new ConfigError('RECOURSE_PII_KEYS: lists no key ("id:base64,…", the first is active)');
    entries.forEach((entry, i) => {
      const colon = entry.indexOf(':');
      const id = colon < 0 ? '' : entry.slice(0, colon);
      if (!KEY_ID.test(id)) throw new ConfigError(`RECOURSE_PII_KEYS entry ${i + 1}: must be "id:base64" with an id of 1–32 letters, digits, _ or -`);
      if (keys[id]) throw new ConfigError(`RECOURSE_PII_KEYS: key id ${id} appears twice`);
      keys[id] = base64Key(entry.slice(colon + 1), `RECOURSE_PII_KEYS key ${id}`);
      if (i === 0) activeKeyId = id;
    });
  } else {
    keys.default = env.RECOURSE_PII_KEY ? base64Key(env.RECOURSE_PII_KEY, 'RECOURSE_PII_KEY') : generatedKey(dataDir);
  }
  // The blind index must stay stable across encryption-key rotations (it is what equality and lookups
  // compare), so it has its own key; by default the one every HMAC was keyed with so far.
  let indexKey: Buffer;
  if (env.RECOURSE_PII_INDEX_KEY) indexKey = base64Key(env.RECOURSE_PII_INDEX_KEY, 'RECOURSE_PII_INDEX_KEY');
  else if (keys.default) indexKey = createHmac('sha256', keys.default).update('recourse/pii/hmac/v1').digest();
  else throw new ConfigError('RECOURSE_PII_KEYS has no "default" key: set RECOURSE_PII_INDEX_KEY (the blind-index key) too');
  return { activeKeyId, keys, indexKey };
}

function generatedKey(dataDir: string): Buffer {
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

function clockStart(text: string | undefined): Date | null {
  if (text === undefined || text === '') return null;
  let at: Date | null = null;
  try {
    // Temporal is strict: an offset is required and 30 February is not a day (Date would roll it over).
    at = /(Z|[+-]\d{2}:\d{2})$/.test(text) ? new Date(Temporal.Instant.from(text).epochMilliseconds) : null;
  } catch {
    at = null;
  }
  if (!at) throw new ConfigError(`RECOURSE_CLOCK_START=${JSON.stringify(text)}: must be an ISO instant with an offset, e.g. 2026-06-30T10:00:00+08:00`);
  return at;
}

function cycleSchedule(text: string): string | null {
  if (text === '' || text === 'off') return null;
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(text)) throw new ConfigError(`RECOURSE_CYCLE_SCHEDULE=${JSON.stringify(text)}: must be a local time HH:MM (e.g. 02:00) or off`);
  return text;
}

function timeZone(name: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name;
  } catch {
    throw new ConfigError(`RECOURSE_TIME_ZONE=${JSON.stringify(name)}: not an IANA time zone such as Asia/Shanghai`);
  }
}
