/**
 * The `recourse` command line: a composition root. Each command parses its flags, opens the runtime
 * (database, cipher, clock), calls one use case and prints the result (text, or JSON with --json).
 * Exit codes: 0 ok, 1 internal error, 2 invalid input or usage, 3 not found.
 */
import { Command, CommanderError } from 'commander';
import { openRuntime } from './runtime.ts';
import { ConfigError } from './config.ts';
import { redactPii } from './modules/identity/index.ts';
import { CliFailure, EXIT, commandContext, wholeNumber, type CliDeps, type CliIo } from './cli/support.ts';
import { registerPortfolioCommands } from './cli/portfolio.commands.ts';
import { registerIdentityCommands } from './cli/identity.commands.ts';
import { registerComplianceCommands } from './cli/compliance.commands.ts';
import { registerCollectorCommands } from './cli/collector.commands.ts';
import { registerCommunicationsCommands } from './cli/communications.commands.ts';
import { registerStrategyCommands } from './cli/strategy.commands.ts';

export { EXIT, type CliDeps, type CliIo } from './cli/support.ts';

export function buildProgram(io: CliIo, deps: CliDeps, setExit: (code: number) => void): Command {
  const program = new Command('recourse')
    .description('Collections management for credit-card delinquency (催收管理系统)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)');
  const ctx = commandContext(io, deps, setExit);
  const { withRuntime } = ctx;

  registerPortfolioCommands(program, ctx);
  registerIdentityCommands(program, ctx);
  registerComplianceCommands(program, ctx);
  registerCommunicationsCommands(program, ctx);
  registerStrategyCommands(program, ctx);
  registerCollectorCommands(program, ctx);

  program
    .command('serve')
    .description('Run the HTTP API (and, on an empty database, load the demo portfolio first)')
    .option('--port <port>', 'TCP port (default: PORT or 3000)', wholeNumber(0, 65535))
    .option('--host <host>', 'address to listen on (default: HOST or 127.0.0.1)')
    .action(async (opts: { port?: number; host?: string }) => {
      if (!deps.serve) throw new CliFailure('serve is not available here', EXIT.internal);
      const rt = await deps.openRuntime();
      try {
        await deps.serve(rt, { port: opts.port ?? rt.config.port, host: opts.host ?? rt.config.host }, io);
      } finally {
        await rt.close();
      }
    });

  program
    .command('migrate')
    .description('Apply pending database migrations (every command also does this on start)')
    .action(async () => {
      await withRuntime(async () => {});
      io.stdout.write('database schema is up to date\n');
    });
  return program;
}

/** Runs one command line; returns the exit code. Never throws. */
export async function main(argv: string[], io: CliIo, deps: CliDeps): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, deps, (code) => void (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; usage shown because a command or subcommand is missing
      // (`recourse`, `recourse report`) is a usage error like any other: exit 2.
      return e.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    }
    if (e instanceof CliFailure) {
      io.stderr.write(`recourse: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof ConfigError) {
      io.stderr.write(`recourse: configuration: ${e.message}\n`);
      return EXIT.invalid;
    }
    // Redacted: a failing statement's message can quote the values it was given.
    io.stderr.write(`recourse: internal error: ${redactPii((e as Error).stack ?? String(e))}\n`);
    return EXIT.internal;
  }
}

/** The process entry point used by bin/recourse.js. */
export async function run(argv: string[]): Promise<number> {
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
  const { serveUntilStopped } = await import('./server.ts');
  return main(argv, io, {
    openRuntime: () => openRuntime({ env: io.env, cwd: io.cwd, log: (m) => void io.stderr.write(`${m}\n`) }),
    serve: serveUntilStopped,
  });
}
