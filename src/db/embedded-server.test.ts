import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { adminUrl, databaseName, withDatabase } from './database-url.ts';
import { acquireDatabase, type DatabaseLease } from './embedded-server.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const holder = path.join(repoRoot, 'test/fixtures/hold-database.ts');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'recourse-db-test-'));
  cleanups.push(async () => {
    // Runs after the leases' cleanups; a server still up here means the test failed, so do not leak it.
    const pid = postmasterPid(dir);
    if (pid !== undefined && alive(pid)) {
      process.kill(pid, 'SIGQUIT'); // immediate shutdown
      await waitUntil(() => !alive(pid), 'the leaked postmaster exits');
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Acquire with no DATABASE_URL in sight; released after the test if the test did not. */
async function acquire(dataDir: string): Promise<DatabaseLease> {
  const lease = await acquireDatabase({ dataDir, env: {} });
  cleanups.push(() => lease.release());
  return lease;
}

async function selectOne(url: string): Promise<{ one: number; db: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ one: number; db: string }>('select 1 as one, current_database() as db');
    return rows[0]!;
  } finally {
    await client.end();
  }
}

function postmasterPid(dataDir: string): number | undefined {
  const file = path.join(dataDir, 'pg', 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
}

/** Zombies count as gone: PID 1 in a container may never reap a daemonized postmaster. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function expectStopped(dataDir: string, pid: number): void {
  expect(alive(pid)).toBe(false);
  expect(postmasterPid(dataDir)).toBeUndefined();
}

type Holder = { child: ChildProcessWithoutNullStreams; url: string; pid: number; exited: Promise<{ code: number | null; signal: string | null }> };

/** Runs test/fixtures/hold-database.ts and waits until it holds its lease. */
async function startHolder(dataDir: string, mode: 'explicit' | 'exit-hooks' = 'explicit'): Promise<Holder> {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', holder, dataDir, mode], { cwd: repoRoot, env });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
    });
    void exited.then(({ code }) => reject(new Error(`holder exited (${code}) before acquiring:\n${stderr}`)));
  });
  const { url, pid } = JSON.parse(line) as { url: string; pid: number };
  return { child, url, pid, exited };
}

const port = (url: string) => new URL(url).port;

describe('database-url', () => {
  it('replaces only the database name', () => {
    const url = 'postgres://u:p%40ss@127.0.0.1:5432/recourse?sslmode=require';
    expect(withDatabase(url, 'recourse_test_1')).toBe('postgres://u:p%40ss@127.0.0.1:5432/recourse_test_1?sslmode=require');
    expect(withDatabase('postgresql://host', 'db')).toBe('postgresql://host/db');
    expect(adminUrl(url)).toBe('postgres://u:p%40ss@127.0.0.1:5432/postgres?sslmode=require');
  });

  it('round-trips names through node-postgres decoding, and rejects those that cannot', () => {
    expect(databaseName(withDatabase('postgres://h/x', 'a b'))).toBe('a b');
    expect(databaseName('postgres://h:1')).toBeUndefined();
    expect(() => withDatabase('postgres://h/x', 'a/b')).toThrow();
    expect(() => withDatabase('postgres://h/x', '')).toThrow();
  });
});

describe('acquireDatabase', () => {
  it('passes DATABASE_URL through without touching the data directory', async () => {
    const dataDir = path.join(tempDataDir(), 'unused');
    const url = 'postgres://someone:secret@db.example:6543/prod';
    const lease = await acquireDatabase({ dataDir, env: { DATABASE_URL: url } });
    expect(lease).toMatchObject({ url, embedded: false });
    await lease.release();
    expect(existsSync(dataDir)).toBe(false);
  });

  it('starts the embedded server, serves the recourse database, and stops it on release', async () => {
    const dataDir = tempDataDir();
    const lease = await acquire(dataDir);
    expect(lease.embedded).toBe(true);
    expect(lease.url).toMatch(/^postgres:\/\/recourse:[0-9a-f]+@127\.0\.0\.1:\d+\/recourse$/);
    expect(await selectOne(lease.url)).toEqual({ one: 1, db: 'recourse' });
    expect(statSync(path.join(dataDir, 'credentials.json')).mode & 0o777).toBe(0o600);
    const pid = postmasterPid(dataDir)!;
    expect(alive(pid)).toBe(true);

    await lease.release();
    expectStopped(dataDir, pid);
    await expect(selectOne(lease.url)).rejects.toThrow();
    expect(readdirSync(path.join(dataDir, 'leases'))).toEqual([]);

    // The cluster and its credentials survive a restart.
    const again = await acquire(dataDir);
    expect(await selectOne(again.url)).toEqual({ one: 1, db: 'recourse' });
    expect(new URL(again.url).password).toBe(new URL(lease.url).password);
  });

  it('runs the cluster with its own settings (sized for the daily cycle), which ALTER SYSTEM still overrides', async () => {
    const dataDir = tempDataDir();
    const show = async (url: string, name: string) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query(`select setting, unit from pg_settings where name = $1`, [name])).rows[0] as { setting: string; unit: string | null };
      } finally {
        await c.end();
      }
    };
    const lease = await acquire(dataDir);
    expect(await show(lease.url, 'max_wal_size')).toEqual({ setting: '4096', unit: 'MB' });
    expect(await show(lease.url, 'work_mem')).toEqual({ setting: String(32 * 1024), unit: 'kB' });
    // A cluster whose postgresql.conf predates the settings gets them at the next start (the include is added once).
    const conf = path.join(dataDir, 'pg', 'postgresql.conf');
    const c = new pg.Client({ connectionString: lease.url });
    await c.connect();
    await c.query(`alter system set work_mem = '8MB'`);
    await c.end();
    await lease.release();
    writeFileSync(conf, readFileSync(conf, 'utf8').replace("include_if_exists = 'recourse.conf'", ''));
    const again = await acquire(dataDir);
    expect(await show(again.url, 'max_wal_size')).toEqual({ setting: '4096', unit: 'MB' });
    expect(await show(again.url, 'work_mem')).toEqual({ setting: String(8 * 1024), unit: 'kB' });
    await acquire(dataDir).then((l) => l.release());
    expect(readFileSync(conf, 'utf8').match(/include_if_exists = 'recourse.conf'/g)).toHaveLength(1);
  });

  it('shares one server between processes until the last lease is released', async () => {
    const dataDir = tempDataDir();
    const other = await startHolder(dataDir);
    const pid = postmasterPid(dataDir)!;

    const lease = await acquire(dataDir);
    expect(lease.url).toBe(other.url);
    expect(postmasterPid(dataDir)).toBe(pid);
    const second = await acquire(dataDir); // a second lease in this process counts separately
    await lease.release();
    await second.release();
    expect(await selectOne(other.url)).toMatchObject({ one: 1 }); // the holder still has it

    other.child.stdin.end();
    expect(await other.exited).toEqual({ code: 0, signal: null });
    expectStopped(dataDir, pid);
  });

  it('recovers from a holder killed with SIGKILL and from a killed postmaster', async () => {
    const dataDir = tempDataDir();
    const crashed = await startHolder(dataDir);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    const orphanPid = postmasterPid(dataDir)!;
    expect(alive(orphanPid)).toBe(true); // left running, with the dead holder's lease file
    expect(readdirSync(path.join(dataDir, 'leases'))).toEqual([expect.stringMatching(new RegExp(`^${crashed.pid}-`))]);

    const reused = await acquire(dataDir);
    expect(port(reused.url)).toBe(port(crashed.url));
    await reused.release(); // the dead holder's lease does not keep the server up
    expectStopped(dataDir, orphanPid);
    expect(readdirSync(path.join(dataDir, 'leases'))).toEqual([]);

    const first = await acquire(dataDir);
    const killedPid = postmasterPid(dataDir)!;
    process.kill(killedPid, 'SIGKILL');
    await waitUntil(() => !alive(killedPid), 'the postmaster is dead');
    expect(postmasterPid(dataDir)).toBe(killedPid); // stale postmaster.pid left behind

    const recovered = await acquire(dataDir);
    expect(await selectOne(recovered.url)).toMatchObject({ one: 1 });
    const newPid = postmasterPid(dataDir)!;
    expect(newPid).not.toBe(killedPid);
    await first.release();
    expect(alive(newPid)).toBe(true); // `recovered` still holds it
    await recovered.release();
    expectStopped(dataDir, newPid);
  });

  it('starts despite a postmaster.pid naming a dead process and a lock left by a crash', async () => {
    const dataDir = tempDataDir();
    await (await acquire(dataDir)).release();
    expect(postmasterPid(dataDir)).toBeUndefined(); // never fake the pid file of a live server
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('exit', resolve));
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    writeFileSync(pidFile, `${dead.pid}\n${path.join(dataDir, 'pg')}\n0\n1\n\n127.0.0.1\n0 0\nready\n`);
    // proper-lockfile's lock is a directory whose mtime its holder keeps fresh; a crashed holder's goes stale.
    mkdirSync(path.join(dataDir, 'lock'));
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(path.join(dataDir, 'lock'), aMinuteAgo, aMinuteAgo);

    const lease = await acquire(dataDir);
    expect(await selectOne(lease.url)).toMatchObject({ one: 1 });
    expect(postmasterPid(dataDir)).not.toBe(dead.pid);
  });

  it('releases on SIGTERM and when the event loop drains (releaseOnExit)', async () => {
    const dataDir = tempDataDir();
    const signalled = await startHolder(dataDir, 'exit-hooks');
    const pid = postmasterPid(dataDir)!;
    signalled.child.kill('SIGTERM');
    expect(await signalled.exited).toEqual({ code: null, signal: 'SIGTERM' }); // the signal is re-raised
    expectStopped(dataDir, pid);

    const drained = await startHolder(dataDir, 'exit-hooks');
    const pid2 = postmasterPid(dataDir)!;
    drained.child.stdin.end();
    expect(await drained.exited).toEqual({ code: 0, signal: null });
    expectStopped(dataDir, pid2);
  });
});
