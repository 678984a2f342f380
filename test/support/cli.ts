/** Runs `recourse …` in-process against a test runtime and captures its output. */
import { main, type CliIo } from '../../src/cli.ts';
import type { Runtime } from '../../src/runtime.ts';

export interface CliRun { code: number; stdout: string; stderr: string; json<T = any>(): T }

export async function runCli(rt: Runtime, argv: string[], options: { cwd?: string } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: {},
    cwd: options.cwd ?? process.cwd(),
  };
  // The runtime outlives each command (closing it is the test's job).
  const code = await main(argv, io, { openRuntime: async () => ({ ...rt, close: async () => {} }) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
