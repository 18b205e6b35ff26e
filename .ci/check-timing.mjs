#!/usr/bin/env node
// Fails on test assertions that look load-dependent: a comparison matcher
// (toBeLessThan[OrEqual], toBeGreaterThan[OrEqual], toBeCloseTo) whose
// expect(...) value is a duration, a time, a rate or a timing-driven count.
// CI runs on shared machines whose speed varies several-fold, so such figures
// flake; they belong in bench/. A bound that a design guarantees (a lower bound
// a sleep ensures, an upper bound far inside a designed limit) is allowed when
// the line, or the line just before the expect, says why:
//
//   // structural: <reason>
//
// Timing values: Date.now, performance.now, process.hrtime, a `.at` property,
// identifiers such as duration, elapsed, took, span, ms, seconds, latency,
// waited, rate, perSecond, retriedResets, untilServedOnlyBy, startedAt, endedAt
// or ending in Ms/At/Rate/Duration/Elapsed/Span/Seconds/Latency/PerSecond, and
// strings like 'p95-ms', 'duration-ms', 'error-rate'. Not flagged: toBeGreaterThan(0)
// (it was measured at all); an ordering of two timestamps or two latency percentiles
// with no arithmetic or number on either side; positions in a text (indexOf).
//
// Usage: node .ci/check-timing.mjs [file or directory...]   (default: actions packages test)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MATCHERS = [
  'toBeLessThanOrEqual',
  'toBeLessThan',
  'toBeGreaterThanOrEqual',
  'toBeGreaterThan',
  'toBeCloseTo',
];
const MATCHER = new RegExp(`\\.(${MATCHERS.join('|')})\\s*\\(`, 'g');

/** Whole identifiers (case-insensitive) that name a time, a duration, a rate or a timing-driven count. */
const TIMING_WORDS = new Set([
  'duration',
  'durationms',
  'elapsed',
  'elapsedms',
  'took',
  'span',
  'spanms',
  'ms',
  'seconds',
  'latency',
  'waited',
  'rate',
  'persecond',
  'retriedresets',
  'untilservedonlyby',
  'startedat',
  'endedat',
]);
/** camelCase tails: fooMs, fooAt, fooRate, fooDuration, fooElapsed, fooSpan, fooSeconds, fooLatency, fooPerSecond. */
const TIMING_TAIL = /[a-z0-9](Ms|At|Rate|Duration|Elapsed|Span|Seconds|Latency|PerSecond)$/;
/** Spelled inside strings (output names such as 'p95-ms', 'duration-ms', 'error-rate'). */
const TIMING_IN_STRING = /[-_](ms|rate|seconds|duration|elapsed)\b/i;
const MARKER = /\/\/\s*structural:(.*)$/;

/**
 * Finds load-dependent-looking assertions in one test file's source.
 * @param {string} source
 * @param {string} [file]
 * @returns {Array<{ file: string, line: number, text: string, matcher: string, why: string }>}
 */
export function findLoadDependent(source, file = '<source>') {
  const { code, strings } = mask(source);
  const lines = source.split('\n');
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (offset) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo; // 0-based
  };

  const findings = [];
  for (const match of code.matchAll(MATCHER)) {
    const matcher = match[1];
    const open = match.index + match[0].length - 1;
    const close = matching(code, open, 1);
    if (close < 0) continue;
    const expectCall = expectArgument(code, match.index);
    if (!expectCall) continue;
    const value = firstArgument(code, expectCall.open + 1, expectCall.close);
    const bound = { start: open + 1, end: close };
    const valueWord = timingWord(source, code, strings, value.start, value.end);
    if (!valueWord) continue;
    if (isZeroLowerBound(matcher, source.slice(bound.start, bound.end))) continue;
    if (isOrdering(source, code, value, bound)) continue;
    // Positions in a text (md.indexOf(...)), not times.
    if (/\.\s*(indexOf|lastIndexOf|search)\s*\(/.test(code.slice(bound.start, bound.end))) continue;

    const first = lineOf(expectCall.start);
    const last = lineOf(close);
    const text = lines
      .slice(first, last + 1)
      .map((l) => l.trim())
      .join(' ');
    const marker = markerFor(lines, first, last);
    if (marker === 'ok') continue;
    findings.push({
      file,
      line: first + 1,
      text: text.length > 200 ? `${text.slice(0, 197)}...` : text,
      matcher,
      why:
        marker === 'empty'
          ? 'its "// structural:" marker gives no reason'
          : `${matcher} on a timing value ("${valueWord}")`,
    });
  }
  return findings;
}

/** How many "// structural: <reason>" comments (not strings) a source has. */
export function countMarkers(source) {
  const { code } = mask(source);
  let count = 0;
  for (const m of source.matchAll(/\/\/\s*structural:[^\n]*\S[^\n]*/g)) {
    // A comment is blanked to spaces in `code`; the inside of a string, to "_".
    if (code[m.index] === ' ' && /structural:\s*\S/.test(m[0])) count++;
  }
  return count;
}

/** A marker on any line of the assertion, or on the line just before it; 'empty' if it has no reason. */
function markerFor(lines, first, last) {
  let found;
  for (let i = Math.max(0, first - 1); i <= last; i++) {
    const m = MARKER.exec(lines[i] ?? '');
    if (!m) continue;
    if (m[1].trim()) return 'ok';
    found = 'empty';
  }
  return found;
}

/** `toBeGreaterThan(0)` / `toBeGreaterThanOrEqual(0)`: "it was measured at all", not a speed. */
function isZeroLowerBound(matcher, bound) {
  return matcher.startsWith('toBeGreaterThan') && /^\s*0(\.0*)?\s*$/.test(bound);
}

/**
 * One measured value against another of the same kind, with no arithmetic or
 * number on either side: an ordering (a timestamp after another, p99 ≥ p95),
 * which holds at any speed. A duration against a named limit is not one.
 */
function isOrdering(source, code, value, bound) {
  const sides = [value, bound].map(({ start, end }) => ({
    text: source.slice(start, end),
    code: code
      .slice(start, end)
      .replace(/\?\./g, '.')
      .replace(/!(?!=)/g, ''),
  }));
  if (sides.some((side) => /[-+*/%]|\b\d/.test(side.code))) return false;
  const timestamp = (side) => /\.\s*at\b(?!\s*\()|[a-z0-9]At\b|^\s*Date\.now\(\s*\)\s*$/.test(side.code);
  const percentile = (side) => /\bp\d{2,3}(Ms\b|-ms\b)/i.test(side.text);
  return sides.every(timestamp) || sides.every(percentile);
}

/** The timing word found in source[start, end), or undefined. */
function timingWord(source, code, strings, start, end) {
  const c = code.slice(start, end);
  if (/\bDate\s*\.\s*now\b/.test(c)) return 'Date.now';
  if (/\bperformance\s*\.\s*now\b/.test(c)) return 'performance.now';
  if (/\bprocess\s*\.\s*hrtime\b/.test(c)) return 'process.hrtime';
  // `.at` as a property (a timestamp), not the array method `.at(-1)`.
  if (/\.\s*at\b(?!\s*\()/.test(c)) return '.at';
  for (const m of c.matchAll(/[A-Za-z_$][\w$]*/g)) {
    const id = m[0];
    if (TIMING_WORDS.has(id.toLowerCase()) || TIMING_TAIL.test(id)) return id;
  }
  for (const [s, e] of strings) {
    if (e <= start || s >= end) continue;
    const text = source.slice(Math.max(s, start), Math.min(e, end));
    const m = TIMING_IN_STRING.exec(text);
    if (m) return text.replace(/^['"`]|['"`]$/g, '');
  }
  return undefined;
}

/**
 * For a matcher at `dot` (the "." of ".toBeLessThan"), the expect(...) it hangs
 * off, skipping .not / .resolves / .rejects: { start, open, close } offsets.
 */
function expectArgument(code, dot) {
  let i = dot;
  for (;;) {
    let j = i - 1;
    while (j >= 0 && /\s/.test(code[j])) j--;
    const modifier = /\.\s*(not|resolves|rejects)\s*$/.exec(code.slice(Math.max(0, j - 20), j + 1));
    if (modifier && code[j] !== ')') {
      i = j + 1 - modifier[0].length;
      continue;
    }
    if (code[j] !== ')') return undefined;
    const open = matching(code, j, -1);
    if (open < 0) return undefined;
    let k = open - 1;
    while (k >= 0 && /\s/.test(code[k])) k--;
    const callee = /(\bexpect(?:\s*\.\s*soft)?)$/.exec(code.slice(Math.max(0, k - 30), k + 1));
    if (!callee) return undefined;
    return { start: k + 1 - callee[1].length, open, close: j };
  }
}

/** The first top-level argument in code[start, end): expect(value, message) → value. */
function firstArgument(code, start, end) {
  let depth = 0;
  for (let i = start; i < end; i++) {
    const ch = code[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) return { start, end: i };
  }
  return { start, end };
}

/** The offset of the bracket matching code[at], scanning forward (dir 1) or back (dir -1). */
function matching(code, at, dir) {
  const pairs = { '(': ')', '[': ']', '{': '}' };
  const back = { ')': '(', ']': '[', '}': '{' };
  const stack = [];
  for (let i = at; i >= 0 && i < code.length; i += dir) {
    const ch = code[i];
    const opens = dir === 1 ? pairs : back;
    const closes = dir === 1 ? back : pairs;
    if (ch in opens) stack.push(opens[ch]);
    else if (ch in closes) {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/**
 * Blanks comments (to spaces) and the insides of strings, template literals and
 * regular expressions (to "_"), keeping every offset and newline, so brackets can
 * be matched on `code`. `strings` lists [start, end) of each string literal.
 */
function mask(source) {
  const out = source.split('');
  const strings = [];
  const blank = (from, to, fill) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = fill;
  };
  let i = 0;
  let last = ''; // the last significant character of code, to tell a regex from a division
  while (i < source.length) {
    const ch = source[i];
    const next = source[i + 1];
    if (ch === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? source.length : end;
      blank(i, stop, ' ');
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      blank(i, stop, ' ');
      i = stop;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== ch) {
        if (source[j] === '\\') j++;
        else if (ch !== '`' && source[j] === '\n') break;
        j++;
      }
      strings.push([i, j + 1]);
      blank(i + 1, j, '_');
      i = j + 1;
      last = 'a';
    } else if (
      ch === '/' &&
      (last === '' || '(,=:[!&|?{};+-*%<>~^'.includes(last) || /\breturn$/.test(source.slice(0, i).trimEnd()))
    ) {
      let j = i + 1;
      let inClass = false;
      while (j < source.length && source[j] !== '\n') {
        if (source[j] === '\\') j++;
        else if (source[j] === '[') inClass = true;
        else if (source[j] === ']') inClass = false;
        else if (source[j] === '/' && !inClass) break;
        j++;
      }
      blank(i + 1, j, '_');
      i = j + 1;
      last = 'a';
    } else {
      if (!/\s/.test(ch)) last = ch;
      i++;
    }
  }
  return { code: out.join(''), strings };
}

const SKIP = new Set(['node_modules', 'dist', 'lib', '.turbo', 'coverage']);
const TEST_FILE = /\.test\.(ts|mts|mjs|js)$/;

/** Every test file under `roots` (files or directories), skipping node_modules and build output. */
export function testFiles(roots) {
  const found = [];
  const walk = (p) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const entry of readdirSync(p).sort()) if (!SKIP.has(entry)) walk(path.join(p, entry));
    } else if (TEST_FILE.test(p)) found.push(p);
  };
  for (const root of roots) walk(root);
  return found;
}

function main(argv) {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const roots = argv.length ? argv : ['actions', 'packages', 'test'].map((d) => path.join(repo, d));
  const files = testFiles(roots);
  const findings = [];
  let markers = 0;
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    markers += countMarkers(source);
    findings.push(...findLoadDependent(source, path.relative(process.cwd(), file)));
  }
  if (findings.length === 0) {
    console.log(
      `${files.length} test files: no load-dependent assertion (${markers} justified by "// structural:").`,
    );
    return 0;
  }
  for (const f of findings) console.error(`${f.file}:${f.line}: ${f.why}\n    ${f.text}`);
  console.error(`
${findings.length} assertion(s) look load-dependent: CI machines vary several-fold in speed, so a duration,
a time, a rate or a count that depends on them flakes. Instead:
  - assert an ordering (no failure sent after the action returned; the revert came before the next step),
    or the state itself (await untilServedOnlyBy(...), which throws after a generous 60 s);
  - bound it by a designed limit with a wide margin (a 300 s statement cancelled ends before 120 s;
    the runner's 7.5 s grace: expect(result.signalsSent).toEqual(['SIGINT']));
  - measure speed in bench/ (see bench/README.md) and drop the assertion;
  - if the bound is guaranteed by design (a lower bound a sleep ensures), say so on the line or the
    line before:  // structural: <reason>`);
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
