/**
 * `npm start` as a real process for the browser tests: `node bin/recourse.js serve` on a fresh test
 * database with a small demo portfolio. It builds the web app when stale (as npm start does), creates
 * the admin (password and TOTP key parsed from its output) and the demo users.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { createTestDatabase, type TestDatabase } from './database.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
export const DEMO_PASSWORD = 'demo passphrase 2026';

export interface ServeProcess {
  base: string;
  admin: { username: 'admin'; password: string; totpSecret: string };
  output(): string;
  stop(): Promise<void>;
}

export async function startServeProcess(options: { demoAccounts: number; startMs?: number; env?: Record<string, string> }): Promise<ServeProcess> {
  const db: TestDatabase = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'recourse-serve-'));
  const port = await getPort();
  const env = {
    ...process.env, DATABASE_URL: db.url, RECOURSE_DEMO_ACCOUNTS: String(options.demoAccounts), RECOURSE_DATA_DIR: dataDir, LOG_LEVEL: 'warn',
    PORT: '', HOST: '', RECOURSE_DEMO_PASSWORD: DEMO_PASSWORD, RECOURSE_ADMIN_PASSWORD: '', RECOURSE_PII_KEY: '', RECOURSE_PII_KEYS: '', RECOURSE_WEB_APP: '',
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, ['bin/recourse.js', 'serve', '--port', String(port)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startMs ?? 180_000);
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before answering:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the server did not answer GET /health in time:\n${output}`);
      const ok = await fetch(`${base}/health`).then((r) => r.ok, () => false);
      if (ok && output.includes('listening on')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const admin = /username: admin\n\s+password: (\S+)\n\s+one-time codes: add this TOTP key to an authenticator app: ([A-Z2-7]+)/.exec(output);
    if (!admin) throw new Error(`no admin credentials in the server's output:\n${output}`);
    return { base, admin: { username: 'admin', password: admin[1]!, totpSecret: admin[2]! }, output: () => output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
