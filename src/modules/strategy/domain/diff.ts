/**
 * What changed between two strategy documents, as a list of paths. Lists of things with ids
 * (segments, ladders, stages, treatments, variants) are compared by id, so moving or inserting one
 * shows as what it is rather than as every later item changing; other lists compare by position.
 */
export interface Change {
  /** "$.ladders[id=standard].stages[id=robot-voice].entry.all[0].value" */
  path: string;
  kind: 'added' | 'removed' | 'changed' | 'moved';
  from?: unknown;
  to?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasIds = (list: unknown[]) => list.length > 0 && list.every((x) => isObject(x) && typeof x.id === 'string');
const key = (k: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);

export function diffDocuments(before: unknown, after: unknown): Change[] {
  const out: Change[] = [];
  walk('$', before, after, out);
  return out;
}

function walk(path: string, a: unknown, b: unknown, out: Change[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (hasIds(a) && hasIds(b)) {
      const ids = (l: unknown[]) => l.map((x) => (x as { id: string }).id);
      const ia = ids(a);
      const ib = ids(b);
      for (const [i, id] of ia.entries()) {
        const j = ib.indexOf(id);
        if (j < 0) out.push({ path: `${path}[id=${id}]`, kind: 'removed', from: a[i] });
        else {
          const movedAmong = ia.filter((x) => ib.includes(x));
          const movedTo = ib.filter((x) => ia.includes(x));
          if (movedAmong.indexOf(id) !== movedTo.indexOf(id)) out.push({ path: `${path}[id=${id}]`, kind: 'moved', from: i, to: j });
          walk(`${path}[id=${id}]`, a[i], b[j], out);
        }
      }
      for (const [j, id] of ib.entries()) if (!ia.includes(id)) out.push({ path: `${path}[id=${id}]`, kind: 'added', to: b[j] });
      return;
    }
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (i >= a.length) out.push({ path: `${path}[${i}]`, kind: 'added', to: b[i] });
      else if (i >= b.length) out.push({ path: `${path}[${i}]`, kind: 'removed', from: a[i] });
      else walk(`${path}[${i}]`, a[i], b[i], out);
    }
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const k of Object.keys(a)) {
      if (!(k in b)) out.push({ path: path + key(k), kind: 'removed', from: a[k] });
      else walk(path + key(k), a[k], b[k], out);
    }
    for (const k of Object.keys(b)) if (!(k in a)) out.push({ path: path + key(k), kind: 'added', to: b[k] });
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, kind: 'changed', from: a, to: b });
}
