/** Polls until `check` passes (asynchronous peers: receipts, replies, call outcomes); bounded in time. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw last;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A clock tests move by hand. */
export function movableClock(start: string) {
  let at = Date.parse(start);
  return {
    now: () => new Date(at),
    set: (iso: string) => void (at = Date.parse(iso)),
    advance: (ms: number) => void (at += ms),
  };
}
