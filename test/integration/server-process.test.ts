/**
 * What `npm start` does, as a real process: `node bin/recourse.js serve --port P` on an empty database
 * loads the demo portfolio, creates the bootstrap admin and the demo users (printing their
 * credentials once), answers over HTTP to logged-in users only, and exits 0 soon after SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { totpCode } from '../../src/modules/identity/index.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const ACCOUNTS = 40;

async function waitFor<T>(what: string, ms: number, attempt: () => Promise<T | undefined>, child: ChildProcess, log: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before ${what}:\n${log()}`);
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}:\n${log()}`);
}

describe('recourse serve (a real process)', () => {
  let db: TestDatabase | undefined;
  let child: ChildProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'recourse-serve-'));
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loads the demo portfolio into an empty database, serves it, and stops cleanly on SIGTERM', async () => {
    db = await createTestDatabase();
    const port = await getPort();
    const env = {
      ...process.env, DATABASE_URL: db.url, RECOURSE_DEMO_ACCOUNTS: String(ACCOUNTS), RECOURSE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: '', HOST: '',
      RECOURSE_DEMO_PASSWORD: 'demo passphrase 2026', RECOURSE_ADMIN_PASSWORD: '', RECOURSE_PII_KEY: '', RECOURSE_PII_KEYS: '',
    };
    child = spawn(process.execPath, ['bin/recourse.js', 'serve', '--port', String(port)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const base = `http://127.0.0.1:${port}`;

    const health = await waitFor('GET /health', 45_000, async () => {
      const r = await fetch(`${base}/health`);
      return r.ok ? r.json() : undefined;
    }, child, () => output);
    expect(health).toEqual({ status: 'ok', database: 'ok' });
    expect(output).toContain(`loading a demo portfolio of ${ACCOUNTS} accounts`);
    expect(output).toContain(`listening on http://127.0.0.1:${port}`);

    // The bootstrap admin: a generated password and a TOTP key, printed once.
    const admin = /username: admin\n\s+password: (\S+)\n\s+one-time codes: add this TOTP key to an authenticator app: ([A-Z2-7]+)/.exec(output);
    expect(admin, output).not.toBeNull();
    expect(output).toMatch(/Demo users \(one per role\), all with the password \(RECOURSE_DEMO_PASSWORD\)/);
    expect(output).toContain('demo-collector (collector, team-a)');
    const logIn = async (username: string, password: string, totp?: string) => {
      const r = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, ...(totp ? { totp } : {}) }) });
      expect(r.status, await r.clone().text()).toBe(200);
      return { cookie: r.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await r.json()) as { csrfToken: string }).csrfToken };
    };
    expect((await fetch(`${base}/accounts`)).status, 'nothing without a login').toBe(401);
    const root = await logIn('admin', admin![1]!, totpCode(admin![2]!, new Date()));
    const users = (await (await fetch(`${base}/users`, { headers: { cookie: root.cookie } })).json()) as { users: { username: string }[] };
    expect(users.users.map((u) => u.username).sort()).toEqual(['admin', 'demo-agency', 'demo-agency-b', 'demo-auditor', 'demo-collector', 'demo-collector-b', 'demo-compliance', 'demo-legal', 'demo-strategy', 'demo-supervisor']);
    const collector = await logIn('demo-collector', 'demo passphrase 2026');
    const team = (await (await fetch(`${base}/accounts?limit=1000`, { headers: { cookie: collector.cookie } })).json()) as { accounts: unknown[] };
    expect(team.accounts).toHaveLength(ACCOUNTS / 2);
    const { cookie } = await logIn('demo-compliance', 'demo passphrase 2026');

    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await fetch(`${base}/accounts?limit=15${cursor ? `&cursor=${cursor}` : ''}`, { headers: { cookie } });
      expect(r.status).toBe(200);
      const page = (await r.json()) as { accounts: { id: string; bucket: string | null }[]; nextCursor: string | null };
      ids.push(...page.accounts.map((a) => a.id));
      expect(page.accounts.every((a) => a.bucket !== null), 'the demo portfolio is aged').toBe(true);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(ids).toHaveLength(ACCOUNTS);
    expect(new Set(ids).size).toBe(ACCOUNTS);

    const problem = await fetch(`${base}/accounts/nope`, { headers: { cookie } });
    expect(problem.status).toBe(404);
    expect(problem.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const started = Date.now();
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill('SIGTERM');
    const [code, signal] = await Promise.race([
      exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit 5 s after SIGTERM:\n${output}`)), 5_000)),
    ]);
    expect({ code, signal }, output).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(output).not.toMatch(/internal error|Error:/);
  });
});

describe('recourse serve over an existing portfolio', () => {
  it('creates only the admin: no demo users, no demo assignments over real accounts', async () => {
    const { createTestRuntime } = await import('../support/database.ts');
    const { runCli } = await import('../support/cli.ts');
    const { bootstrapAccess } = await import('../../src/workflows/access-bootstrap.workflow.ts');
    const rt = await createTestRuntime();
    try {
      expect((await runCli(rt, ['demo', '--accounts', '5', '--as-of', '2026-06-30'])).code).toBe(0);
      let out = '';
      const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (out += s) }, env: {}, cwd: '/' };
      const outcome = await bootstrapAccess(rt, io, { demoUsers: false });
      expect(outcome?.demoPassword).toBeNull();
      expect(out).toContain('username: admin');
      expect(out).not.toContain('Demo users');
      expect((await rt.pool.query('select username from staff_users')).rows).toEqual([{ username: 'admin' }]);
      expect((await rt.pool.query('select count(*)::int as n from account_assignments')).rows[0].n).toBe(0);
      expect(await bootstrapAccess(rt, io, { demoUsers: true }), 'only on the first start').toBeNull();
    } finally {
      await rt.close();
    }
  });
});
