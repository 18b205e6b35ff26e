#!/usr/bin/env node
// Reads vitest's JSON report and fails when any test was skipped, marked todo or
// did not run: under CI every test must run. With --summary, prints the closing
// line "tests: N passed, N failed".
import { readFileSync } from 'node:fs';

const [file, flag] = process.argv.slice(2);
const report = JSON.parse(readFileSync(file, 'utf8'));
const notRun = [];
for (const suite of report.testResults ?? []) {
  for (const test of suite.assertionResults ?? []) {
    if (test.status !== 'passed' && test.status !== 'failed')
      notRun.push(`${test.status}: ${suite.name} › ${test.fullName}`);
  }
}
if (flag === '--summary') {
  console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
  process.exit(report.numFailedTests === 0 && report.success ? 0 : 1);
}
if (notRun.length || report.numPendingTests || report.numTodoTests) {
  console.error(`${notRun.length} test(s) did not run under CI=true:\n${notRun.join('\n')}`);
  process.exit(1);
}
if (!report.numTotalTests) {
  console.error('No test ran.');
  process.exit(1);
}
console.log(`${report.numTotalTests} tests ran; none skipped.`);
