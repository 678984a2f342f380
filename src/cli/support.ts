/**
 * What every command file shares: exit codes, the I/O seam, operating failures, flag parsers and the
 * command context (open the runtime for one command, today's business date).
 */
import { InvalidArgumentError } from 'commander';
import type { Runtime } from '../runtime.ts';
import { parsePlainDate, type EpochDay } from '../kernel/dates.ts';
import { todayIn } from '../kernel/clock.ts';

export const EXIT = { ok: 0, internal: 1, invalid: 2, notFound: 3 } as const;

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Standard input, for commands that read a secret or a file from it (e.g. --password-stdin). */
  stdin?: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CliDeps {
  openRuntime: () => Promise<Runtime>;
  /** Keeps `serve` running until the process is told to stop. */
  serve?: (runtime: Runtime, options: { port: number; host: string }, io: CliIo) => Promise<void>;
}

/** What a command file receives: the I/O, the runtime opener, and how to set the exit code. */
export interface CommandContext {
  io: CliIo;
  deps: CliDeps;
  setExit: (code: number) => void;
  /** Opens the runtime for one unit of work and closes it afterwards. */
  withRuntime: <T>(work: (rt: Runtime) => Promise<T>) => Promise<T>;
  /** Today's business date in the bank's time zone. */
  today: (rt: Runtime) => EpochDay;
}

export function commandContext(io: CliIo, deps: CliDeps, setExit: (code: number) => void): CommandContext {
  return {
    io,
    deps,
    setExit,
    async withRuntime(work) {
      const rt = await deps.openRuntime();
      try {
        return await work(rt);
      } finally {
        await rt.close();
      }
    },
    today: (rt) => todayIn(rt.clock, rt.config.timeZone),
  };
}

/** An operating error that ends the command with a message and an exit code. */
export class CliFailure extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** JSON output: bigints as decimal strings, two-space indent, a final newline. */
export const json = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';

export function plainDate(_flag: string) {
  return (text: string): EpochDay => {
    const day = parsePlainDate(text);
    if (day === null) throw new InvalidArgumentError(`${JSON.stringify(text)} is not a real date (YYYY-MM-DD)`);
    return day;
  };
}

export function wholeNumber(min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}
