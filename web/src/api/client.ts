/**
 * The one HTTP client of the app. Same origin, session cookie (httpOnly, set by POST /auth/login);
 * every unsafe method sends the session's CSRF token in x-csrf-token. Errors are the server's
 * problem+json documents, thrown as ApiError. A 401 tells the auth layer the session is gone.
 *
 * The CSRF token is kept in localStorage: it is returned only by the login (stored hashed on the
 * server) and must survive a reload and reach other tabs of the same session; it is worthless without
 * the httpOnly cookie, which scripts never see.
 */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  errors?: { field: string; message: string }[];
  [extra: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
  get code(): string {
    return this.problem.code;
  }
}

const CSRF_KEY = 'recourse.csrf';
let csrfToken: string | null = readStored();

function readStored(): string | null {
  try {
    return localStorage.getItem(CSRF_KEY);
  } catch {
    return null;
  }
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
  try {
    if (token === null) localStorage.removeItem(CSRF_KEY);
    else localStorage.setItem(CSRF_KEY, token);
  } catch {
    // storage refused: the token lives in memory for this page
  }
}

type Listener = (error: ApiError) => void;
const unauthenticatedListeners = new Set<Listener>();
/** Called when any request answers 401 (session ended, expired or never started). */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => void unauthenticatedListeners.delete(listener);
}

export type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal, extraHeaders?: Record<string, string>): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...extraHeaders };
  if (body instanceof Blob) headers['content-type'] = body.type || 'application/octet-stream';
  else if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', ...(body instanceof Blob ? { body } : body !== undefined ? { body: JSON.stringify(body) } : {}), ...(signal ? { signal } : {}),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const problem: Problem = isProblem(parsed) ? parsed : { title: response.statusText || 'Request failed', status: response.status, code: 'http_error', detail: text.slice(0, 200) };
    const error = new ApiError(response.status, problem);
    if (response.status === 401 && path !== '/auth/login') for (const l of unauthenticatedListeners) l(error);
    throw error;
  }
  return parsed as T;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && typeof (value as Problem).code === 'string' && typeof (value as Problem).status === 'number';
}

/** Extra request headers (e.g. the collector desk's x-contact-token). */
export type RequestHeaders = Record<string, string>;

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal, headers?: RequestHeaders) => request<T>('GET', withQuery(path, query), undefined, signal, headers),
  post: <T>(path: string, body?: unknown, headers?: RequestHeaders) => request<T>('POST', path, body ?? {}, undefined, headers),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  /** A file as the request body (its own content type), e.g. hardship evidence. */
  upload: <T>(path: string, file: Blob) => request<T>('POST', path, file),
};
