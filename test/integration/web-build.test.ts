/**
 * `npm start` builds the web app only when needed: a missing build is made, a fresh one is kept, one
 * built from other sources (its recorded source hash differs) is rebuilt, and two processes starting
 * at once build it once. Builds go into a temporary directory here, never web/dist.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureWebBuild, readBuildInfo, webBuildState, webSourceHash } from '../../src/web-build.ts';

const root = mkdtempSync(join(tmpdir(), 'recourse-web-build-'));
const dist = join(root, 'dist');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the web build', () => {
  it('builds when missing, twice at once only once, into a complete directory with no inline script', async () => {
    expect(webBuildState(dist)).toBe('missing');
    const logs: string[] = [];
    const [a, b] = await Promise.all([ensureWebBuild({ distDir: dist, log: (m) => logs.push(m) }), ensureWebBuild({ distDir: dist, log: (m) => logs.push(m) })]);
    expect([a.built, b.built].sort()).toEqual([false, true]);
    expect(logs.filter((l) => l.startsWith('building the web app'))).toHaveLength(1);
    expect(webBuildState(dist)).toBe('fresh');
    expect(readBuildInfo(dist)?.sourceHash).toBe(webSourceHash());
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    expect(html).toMatch(/<script type="module" crossorigin src="\/app\/assets\/index-[\w-]+\.js"><\/script>/);
    expect(html, 'no inline scripts (the CSP allows none)').not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    for (const asset of html.matchAll(/\/app\/(assets\/[^"]+)/g)) expect(existsSync(join(dist, asset[1]!)), asset[1]).toBe(true);
    expect(readdirSync(root), 'no temporary build directory left behind').toEqual(['dist']);
  });

  it('keeps a fresh build and rebuilds one made from other sources', async () => {
    const before = readFileSync(join(dist, 'build-info.json'), 'utf8');
    expect((await ensureWebBuild({ distDir: dist })).built).toBe(false);
    expect(readFileSync(join(dist, 'build-info.json'), 'utf8')).toBe(before);
    writeFileSync(join(dist, 'build-info.json'), JSON.stringify({ ...JSON.parse(before), sourceHash: 'from-older-sources' }));
    expect(webBuildState(dist)).toBe('stale');
    expect(await ensureWebBuild({ distDir: dist })).toEqual({ built: true, state: 'stale' });
    expect(webBuildState(dist)).toBe('fresh');
  });
});
