/** Runs `recourse …` in-process against a test runtime and captures its output. */
import { Readable } from 'node:stream';
import { main, type CliIo } from '../../src/cli.ts';
import type { Runtime } from '../../src/runtime.ts';

export interface CliRun { code: number; stdout: string; stderr: string; json<T = any>(): T }

export async function runCli(rt: Runtime, argv: string[], options: { cwd?: string; stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    ...(options.stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(options.stdin)]) }),
  };
  // The runtime outlives each command (closing it is the test's job).
  const code = await main(argv, io, { openRuntime: async () => ({ ...rt, close: async () => {} }) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
