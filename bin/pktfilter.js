#!/usr/bin/env node
// Entry point of the `pktfilter` command: runs the bundled CLI (built by `npm ci` through the prepare script).
import { main } from '../dist/cli.js';
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
