#!/usr/bin/env node
// The `recourse` command. The sources are TypeScript run through tsx's loader, so there is no
// build step between `npm install` and a working CLI.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/cli.ts');
process.exitCode = await run(process.argv.slice(2));
