#!/usr/bin/env node
// Entry point of the `stepwise` command. The sources are TypeScript run through tsx's loader, so there is no
// build step between a checkout and a running server.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/entry.ts');
await main(process.argv.slice(2));
