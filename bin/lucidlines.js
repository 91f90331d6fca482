#!/usr/bin/env node
import { run } from '../dist/src/cli.js';
import { boundHeapGrowth } from '../dist/src/heap-growth.js';

boundHeapGrowth();
process.exitCode = await run(process.argv.slice(2));
