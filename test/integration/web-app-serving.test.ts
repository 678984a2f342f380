/**
 * How the server serves the browser app (from a stand-in build directory): `/` → /app/, every client
 * route under /app/ → index.html, assets with long caching, a missing asset → a 404 problem (never the
 * page), nothing outside the build directory, the security headers on all of it, and the API's own
 * 404s untouched. Without a build /app/ answers 503; with RECOURSE_WEB_APP=off there is no app at all.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../support/database.ts';
import { buildServer } from '../../src/server.ts';
import type { Runtime } from '../../src/runtime.ts';

const INDEX = '<!doctype html><html><head><script type="module" src="/app/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';
let rt: Runtime;
let app: FastifyInstance;
let dist: string;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'recourse-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log("app")');
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(tmpdir(), 'recourse-secret.txt'), 'not for the web');
  rt = await createTestRuntime();
  app = await buildServer(rt, { webDistDir: dist });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
  rmSync(dist, { recursive: true, force: true });
});

describe('the web app routes', () => {
  it('redirects / to the app', async () => {
    const root = await app.inject('/');
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/app/');
    expect((await app.inject('/app')).headers.location).toBe('/app/');
  });

  it('answers index.html for every client route, whatever its query string, never cached', async () => {
    for (const url of ['/app/', '/app/login', '/app/accounts', '/app/accounts/demo-a-000001?x=1', '/app/accounts?bucket=M2&dpdMin=3&cursor=ZGVtbw', '/app/any/deep/route']) {
      const r = await app.inject(url);
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type'], url).toMatch(/^text\/html/);
      expect(r.headers['cache-control'], url).toBe('no-cache');
      expect(r.body, url).toBe(INDEX);
    }
  });

  it('serves built files, assets cached for good, with the security headers', async () => {
    const js = await app.inject('/app/assets/index-abc123.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe('console.log("app")');
    expect((await app.inject('/app/favicon.svg')).headers['content-type']).toMatch(/^image\/svg\+xml/);
    const page = await app.inject('/app/accounts');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a missing asset with a 404 problem, not the page', async () => {
    for (const url of ['/app/assets/gone-123.js', '/app/assets/style.css', '/app/app.js']) {
      const r = await app.inject(url);
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type'], url).toMatch(/^application\/problem\+json/);
    }
  });

  it('serves nothing outside the build directory', async () => {
    for (const url of ['/app/../package.json', '/app/%2e%2e/package.json', '/app/..%2f..%2fpackage.json', '/app/%2e%2e%2f%2e%2e%2frecourse-secret.txt', '/app/assets/..%2f..%2f..%2fetc%2fpasswd']) {
      const r = await app.inject(url);
      expect(r.body, url).not.toContain('"name": "recourse"');
      expect(r.body, url).not.toContain('not for the web');
      expect(r.body, url).not.toContain('root:');
    }
  });

  it('leaves the API alone: unknown paths are problems, data needs a login', async () => {
    for (const url of ['/nope', '/accounts/x/y', '/apps', '/application']) {
      const r = await app.inject(url);
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type'], url).toMatch(/^application\/problem\+json/);
    }
    expect((await app.inject('/accounts')).statusCode).toBe(401);
    expect((await app.inject('/openapi.json')).statusCode).toBe(200);
    expect((await app.inject('/health')).statusCode).toBe(200);
    const openapi = (await app.inject('/openapi.json')).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(openapi.paths).filter((p) => p === '/' || p === '/app' || p.startsWith('/app/')), 'the static routes are not API operations').toEqual([]);
  });
});

describe('without a build, and with the app off', () => {
  it('answers 503 naming what to do when web/dist is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'recourse-nodist-'));
    const bare = await buildServer(rt, { webDistDir: join(empty, 'dist') });
    try {
      const r = await bare.inject('/app/accounts');
      expect(r.statusCode).toBe(503);
      expect(r.json()).toMatchObject({ code: 'service_unavailable', title: 'The web app is not built' });
      expect(r.json().detail).toMatch(/npm start|build:web/);
      expect((await bare.inject('/app/assets/x.js')).statusCode).toBe(503);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('registers no app routes with RECOURSE_WEB_APP=off', async () => {
    const apiOnly = await buildServer({ ...rt, config: { ...rt.config, webApp: 'off' } }, { webDistDir: dist });
    try {
      for (const url of ['/', '/app/', '/app/accounts']) {
        const r = await apiOnly.inject(url);
        expect(r.statusCode, url).toBe(404);
        expect(r.headers['content-type'], url).toMatch(/^application\/problem\+json/);
      }
    } finally {
      await apiOnly.close();
    }
  });
});
