/** Database access for the composition roots: connect (embedded or DATABASE_URL), migrate, pool. */
export { acquireDatabase, releaseOnExit, type DatabaseLease } from './embedded-server.ts';
export { createPool, inTransaction, type Pool, type PoolClient } from './pool.ts';
export { migrate, loadMigrations } from './migrate.ts';
export { withDatabase, adminUrl } from './database-url.ts';
export { CopyWriter, copyField, copyOutLineBatches, copyOutLines, copyText, copyTextOf, unescapeCopy, type CopyText } from './copy.ts';
export { CopyRow, PackedBytes, copyOutRows } from './copy-rows.ts';
