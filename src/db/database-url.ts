/**
 * Helpers for PostgreSQL connection URLs (postgres:// or postgresql://).
 * The WHATWG URL parser keeps credentials, host, port and query (e.g. ?sslmode=require) intact,
 * so only the path — the database name — changes.
 */

/** The same server and credentials, pointing at database `dbName`. */
export function withDatabase(url: string, dbName: string): string {
  if (dbName === '') throw new Error('database name must not be empty');
  const encoded = encodeURIComponent(dbName);
  // node-postgres reads the name back with decodeURI, which leaves %2F, %3F, %23... encoded.
  if (decodeURI(encoded) !== dbName) throw new Error(`database name ${JSON.stringify(dbName)} cannot be put in a URL`);
  const parsed = new URL(url);
  parsed.pathname = `/${encoded}`;
  return parsed.toString();
}

/** The maintenance database, for CREATE/DROP DATABASE (you cannot drop the database you are connected to). */
export function adminUrl(url: string): string {
  return withDatabase(url, 'postgres');
}

/** The database name as node-postgres reads it (decodeURI), or undefined when the URL names none. */
export function databaseName(url: string): string | undefined {
  const name = decodeURI(new URL(url).pathname.replace(/^\//, ''));
  return name === '' ? undefined : name;
}
