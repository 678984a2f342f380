/** PostgreSQL connections: bigint columns come back as BigInt, dates as plain "YYYY-MM-DD" strings. */
import pg from 'pg';

const INT8 = 20;
const DATE = 1082;
pg.types.setTypeParser(INT8, (v) => BigInt(v));
pg.types.setTypeParser(DATE, (v) => v);

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function createPool(url: string, max = 8): pg.Pool {
  // Bulk paths (import staging, aging) use temporary tables and large sorts: give them memory so
  // they do not spill to disk at the default 8 MB.
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'recourse', options: '-c temp_buffers=256MB -c work_mem=64MB' });
  // An idle client losing its connection (server stopped) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

/** Runs `work` in one transaction on one client; rolls back on any error. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
