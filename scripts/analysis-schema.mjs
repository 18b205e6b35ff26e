#!/usr/bin/env node
// Writes schemas/analysis-file.schema.json, the JSON Schema of an analysis
// file (editor completion), from the zod schema the actions read it with
// (packages/core: build it first). With --check, fails when the committed one is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { analysisFileSchema } = await import(path.join(root, 'packages/core/dist/analysis/schemas.js'));
const target = path.join(root, 'schemas/analysis-file.schema.json');
const schema = {
  ...z.toJSONSchema(analysisFileSchema, { io: 'input', unrepresentable: 'any' }),
  title: 'Glidepath analysis file',
  description:
    'An analysis for verify-health and canary-shift (their analysis-file input): the analysis inputs, by name. A step input that is given wins over the file.',
};
const text = `${JSON.stringify(schema, null, 2)}\n`;
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {}
  if (committed !== text) {
    console.error('schemas/analysis-file.schema.json is stale: run node scripts/analysis-schema.mjs');
    process.exit(1);
  }
  console.log('schemas/analysis-file.schema.json is up to date');
} else {
  writeFileSync(target, text);
  console.log('wrote schemas/analysis-file.schema.json');
}
