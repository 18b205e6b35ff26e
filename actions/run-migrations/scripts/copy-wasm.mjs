#!/usr/bin/env node
// Post-bundle step of run-migrations: copies libpg-query's WebAssembly parser
// next to the bundle. ncc bundles the JavaScript of libpg-query but not the
// `.wasm` file its Emscripten loader reads from its own directory at run time
// (src/lint/parser.ts points that directory at dist/). A plain byte copy, so
// the committed dist/ stays reproducible.
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const wasm = path.join(path.dirname(require.resolve('libpg-query')), 'libpg-query.wasm');
copyFileSync(wasm, path.join(process.cwd(), 'dist', 'libpg-query.wasm'));
console.log('run-migrations: copied libpg-query.wasm into dist/');
