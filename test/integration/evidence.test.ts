/**
 * Hardship evidence over HTTP: PDF or image only (by content, not by name or declared type), within
 * the size limit, stored with its SHA-256, listed in the Account 360, retrievable only by permitted
 * roles in scope, for a reason, audited.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../support/database.ts';
import { TestClock, seedPortfolio } from '../support/collector.ts';
import { injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { buildServer } from '../../src/server.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
let app: FastifyInstance;
let collector: Credentials;
let supervisor: Credentials;
let otherSupervisor: Credentials;
let compliance: Credentials;
const clock = new TestClock('2026-06-30T02:00:00Z');
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'), Buffer.alloc(2000, 0x20), Buffer.from('%%EOF\n')]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  await seedPortfolio(rt, [{ id: 'C1', name: '张伟', nationalId: '11010519491231002X', phones: [{ number: '13800138000' }] }], [{ id: 'A1', customerId: 'C1', team: 'team-a' }]);
  app = await buildServer(rt);
  collector = await sessionFor(app, rt, { role: 'collector', teamId: 'team-a' });
  supervisor = await sessionFor(app, rt, { role: 'supervisor', teamId: 'team-a' });
  otherSupervisor = await sessionFor(app, rt, { role: 'supervisor', teamId: 'team-b' });
  compliance = await sessionFor(app, rt, { role: 'compliance_officer' });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const upload = (c: Credentials, body: Buffer, type: string, query = '?description=%E4%BD%8F%E9%99%A2%E8%AF%81%E6%98%8E') =>
  injectAs(app, c)({ method: 'POST', url: `/accounts/A1/evidence${query}`, headers: { 'content-type': type }, payload: body });

describe('hardship evidence', () => {
  let id: number;

  it('stores a PDF with its checksum and lists it in the 360', async () => {
    const r = await upload(collector, PDF, 'application/pdf');
    expect(r.statusCode, r.body).toBe(201);
    const e = r.json();
    expect(e).toMatchObject({ customerId: 'C1', accountId: 'A1', mediaType: 'application/pdf', sizeBytes: PDF.length, sha256: createHash('sha256').update(PDF).digest('hex'), description: '住院证明' });
    id = e.evidenceId;
    // Typed by content: an image sent as application/octet-stream is stored as what it is.
    expect((await upload(collector, PNG, 'application/octet-stream', '')).json()).toMatchObject({ mediaType: 'image/png' });
    const list = (await injectAs(app, collector)('/accounts/A1/evidence')).json().evidence;
    expect(list.map((x: { mediaType: string }) => x.mediaType)).toEqual(['image/png', 'application/pdf']);
    const view = (await injectAs(app, supervisor)('/accounts/A1/360')).json();
    expect(view.documents.map((x: { evidenceId: number }) => x.evidenceId)).toContain(id);
    expect(JSON.stringify(view.documents)).not.toContain('content');
  });

  it('refuses other types, a content that is not what it is declared, empty and oversized files', async () => {
    const exe = await upload(collector, Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), 'application/pdf');
    expect(exe.statusCode).toBe(415);
    expect(exe.json().code).toBe('evidence_type_not_allowed');
    expect((await upload(collector, PNG, 'application/pdf')).json().code).toBe('evidence_type_mismatch');
    expect((await upload(collector, Buffer.alloc(0), 'application/pdf')).statusCode).toBe(422);
    const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]);
    expect((await upload(collector, big, 'application/pdf')).statusCode).toBe(413);
    expect((await upload(collector, Buffer.from('hello'), 'text/plain')).statusCode).toBe(415);
    expect((await rt.pool.query('select count(*)::int as n from hardship_evidence')).rows[0].n).toBe(2);
  });

  it('is retrievable by permitted roles in scope, for a reason, audited, byte for byte', async () => {
    expect((await injectAs(app, collector)(`/evidence/${id}?reason=checking%20the%20certificate`)).statusCode).toBe(403);
    expect((await injectAs(app, supervisor)(`/evidence/${id}`)).statusCode).toBe(400);
    expect((await injectAs(app, otherSupervisor)(`/evidence/${id}?reason=checking%20the%20certificate`)).statusCode).toBe(404);
    const r = await injectAs(app, compliance)(`/evidence/${id}?reason=hardship%20plan%20review%2C%20case%20A1`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.headers['x-content-sha256']).toBe(createHash('sha256').update(PDF).digest('hex'));
    expect(r.rawPayload.equals(PDF)).toBe(true);
    const audit = (await rt.pool.query(`select action, subject_id, reason, details from access_audit where action = 'evidence_read'`)).rows;
    expect(audit).toEqual([expect.objectContaining({ subject_id: String(id), reason: 'hardship plan review, case A1', details: expect.objectContaining({ accountId: 'A1', mediaType: 'application/pdf' }) })]);
    expect(r.headers['x-audit-id']).toBeDefined();
    await expect(rt.pool.query(`update hardship_evidence set description = 'x' where evidence_id = $1`, [id])).rejects.toThrow(/append-only/);
  });
});
