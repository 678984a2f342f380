/**
 * The web app's build, as `recourse serve` (npm start) and the e2e tests need it: web/dist is rebuilt
 * when it is missing or was built from other sources. "Other sources" is a hash of web/index.html,
 * web/vite.config.ts, web/src (tests excluded), web/public and package-lock.json (dependency versions), stored in
 * web/dist/build-info.json; mtimes would miss a checkout of older files. The build runs Vite in a child
 * process into a fresh directory that then replaces web/dist, under a cross-process lock, so two
 * processes starting at once build once and a half-written build is never served.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import lockfile from 'proper-lockfile';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const WEB_DIR = join(REPO_ROOT, 'web');
export const WEB_DIST = join(WEB_DIR, 'dist');
const BUILD_INFO = 'build-info.json';
/** Vite's build takes seconds; a wedged one should not hold `npm start` forever. */
const BUILD_TIMEOUT_MS = 10 * 60_000;

export interface WebBuildInfo { sourceHash: string; builtAt: string; builtInMs: number }
export type WebBuildState = 'missing' | 'stale' | 'fresh';

function sourceFiles(): string[] {
  const files = [join(WEB_DIR, 'index.html'), join(WEB_DIR, 'vite.config.ts'), join(REPO_ROOT, 'package-lock.json')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !/\.test\.tsx?$/.test(entry.name)) files.push(path);
    }
  };
  walk(join(WEB_DIR, 'src'));
  if (existsSync(join(WEB_DIR, 'public'))) walk(join(WEB_DIR, 'public'));
  return files.filter((f) => existsSync(f)).sort();
}

/** A hash of everything the build reads (paths and contents). */
export function webSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles()) {
    hash.update(relative(REPO_ROOT, file).split(sep).join('/')).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function readBuildInfo(distDir = WEB_DIST): WebBuildInfo | null {
  try {
    return JSON.parse(readFileSync(join(distDir, BUILD_INFO), 'utf8')) as WebBuildInfo;
  } catch {
    return null;
  }
}

export function webBuildState(distDir = WEB_DIST): WebBuildState {
  if (!existsSync(join(distDir, 'index.html'))) return 'missing';
  return readBuildInfo(distDir)?.sourceHash === webSourceHash() ? 'fresh' : 'stale';
}

function viteBin(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('vite/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin['vite']!;
  return join(pkgPath, '..', bin);
}

function runVite(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [viteBin(), 'build', '--config', join(WEB_DIR, 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir'], {
      cwd: WEB_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`vite build failed (${signal ?? `exit code ${code}`}):\n${output.slice(-4000)}`));
    });
  });
}

export interface EnsureOptions { log?: (message: string) => void; distDir?: string }

/** Builds web/dist unless it is fresh. Returns whether it built. Safe to call from several processes at once. */
export async function ensureWebBuild(options: EnsureOptions = {}): Promise<{ built: boolean; state: WebBuildState }> {
  const distDir = options.distDir ?? WEB_DIST;
  const log = options.log ?? (() => {});
  const before = webBuildState(distDir);
  if (before === 'fresh') return { built: false, state: before };
  const lockPath = join(tmpdir(), `recourse-web-build-${createHash('sha256').update(distDir).digest('hex').slice(0, 16)}.lock`);
  const unlock = await lockfile.lock(distDir, {
    realpath: false, lockfilePath: lockPath, stale: 10_000,
    retries: { retries: 600, factor: 1, minTimeout: 500, maxTimeout: 500 },
    onCompromised: (e) => log(`web build lock compromised: ${e.message}`),
  });
  try {
    const state = webBuildState(distDir); // another process may have built it while we waited
    if (state === 'fresh') return { built: false, state: before };
    log(`building the web app (${state === 'missing' ? 'no build yet' : 'sources changed'})…`);
    const started = Date.now();
    const sourceHash = webSourceHash();
    const fresh = `${distDir}.building-${process.pid}`;
    rmSync(fresh, { recursive: true, force: true });
    try {
      await runVite(fresh);
      const info: WebBuildInfo = { sourceHash, builtAt: new Date().toISOString(), builtInMs: Date.now() - started };
      writeFileSync(join(fresh, BUILD_INFO), JSON.stringify(info, null, 2) + '\n');
      const old = `${distDir}.old-${process.pid}`;
      if (existsSync(distDir) && statSync(distDir).isDirectory()) renameSync(distDir, old);
      renameSync(fresh, distDir);
      rmSync(old, { recursive: true, force: true });
      log(`web app built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
    return { built: true, state: before };
  } finally {
    await unlock().catch(() => {});
  }
}

// `npm run build:web` (node --import tsx src/web-build.ts [--force]): build ahead, e.g. into an image that then runs with RECOURSE_WEB_APP=serve.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--force')) rmSync(join(WEB_DIST, BUILD_INFO), { force: true });
  const { built } = await ensureWebBuild({ log: (m) => console.error(m) });
  if (!built) console.error(`web/dist is up to date (${WEB_DIST})`);
}
