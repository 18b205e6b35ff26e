/**
 * Evaluates what logql.ts built over what store.ts kept, at one instant, as
 * Loki's engine does (pkg/logql/evaluator.go, pkg/logql/syntax/ast.go
 * MergeBinOp, and Loki's own LogQL test scripts in
 * pkg/logql/internal/logqltest/testdata):
 *
 * - a range `[r]` at time t covers `(t - r, t]`: lower bound exclusive, upper
 *   inclusive;
 * - `count_over_time` counts the matching lines per series, `rate` is that
 *   count divided by the range in seconds; a series is the stream's labels
 *   plus the entry's structured metadata (`detected_level`), and there is no
 *   series at all where no line matched — an empty vector, never a 0;
 * - `sum`/`count`/`max`/`min`/`avg` group by the `by` labels (those present)
 *   or by all labels but the `without` ones, and of no series make none;
 * - `+ - * /` between two vectors match one-to-one on the whole label set
 *   and keep the left side's labels; unmatched series drop out. With a
 *   number, every sample is computed with it; two numbers make a scalar.
 *   Division by zero is NaN (Loki guards it; Prometheus would say +Inf).
 */
import type { LabelMatcher, LineFilter, LogSelector, SampleExpr } from './logql.js';
import { matches } from './logql.js';
import { type Entry, labelsText, type Stream } from './store.js';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export type Value = { type: 'vector'; samples: Sample[] } | { type: 'scalar'; value: number };

export interface Stats {
  linesProcessed: number;
  bytesProcessed: number;
}

/** Lines of the streams `selector` picks, with `from < ns <= to` (or `from <= ns < to` with `endExclusive`). */
export function selectLines(
  selector: LogSelector,
  streams: Stream[],
  from: bigint,
  to: bigint,
  stats: Stats,
  endExclusive = false,
): Array<{ stream: Stream; entry: Entry }> {
  const out: Array<{ stream: Stream; entry: Entry }> = [];
  for (const stream of streams) {
    if (!selector.matchers.every((m: LabelMatcher) => matches(m, stream.labels[m.name] ?? ''))) continue;
    for (const entry of stream.entries) {
      const inside = endExclusive ? entry.ns >= from && entry.ns < to : entry.ns > from && entry.ns <= to;
      if (!inside) continue;
      stats.linesProcessed++;
      stats.bytesProcessed += Buffer.byteLength(entry.line);
      if (selector.filters.every((f) => passes(f, entry.line))) out.push({ stream, entry });
    }
  }
  return out;
}

function passes(filter: LineFilter, line: string): boolean {
  switch (filter.op) {
    case '|=':
      return line.includes(filter.value);
    case '!=':
      return !line.includes(filter.value);
    case '|~':
      return filter.regex!.test(line);
    case '!~':
      return !filter.regex!.test(line);
  }
}

export function evaluate(expr: SampleExpr, streams: Stream[], at: bigint, stats: Stats): Value {
  switch (expr.kind) {
    case 'literal':
      return { type: 'scalar', value: expr.value };
    case 'range': {
      const lines = selectLines(expr.selector, streams, at - expr.rangeNs, at, stats);
      const counts = new Map<string, Sample>();
      for (const { stream, entry } of lines) {
        const labels = { ...stream.labels, ...entry.metadata };
        const key = labelsText(labels);
        const sample = counts.get(key) ?? { labels, value: 0 };
        sample.value++;
        counts.set(key, sample);
      }
      const seconds = Number(expr.rangeNs) / 1e9;
      const samples = [...counts.values()].map((s) =>
        expr.op === 'rate' ? { labels: s.labels, value: s.value / seconds } : s,
      );
      return { type: 'vector', samples: sorted(samples) };
    }
    case 'vector': {
      const inner = evaluate(expr.inner, streams, at, stats);
      const input = inner.type === 'vector' ? inner.samples : [{ labels: {}, value: inner.value }];
      const groups = new Map<string, { labels: Record<string, string>; values: number[] }>();
      for (const s of input) {
        const labels = grouped(s.labels, expr.grouping);
        const key = labelsText(labels);
        const group = groups.get(key) ?? { labels, values: [] };
        group.values.push(s.value);
        groups.set(key, group);
      }
      const samples = [...groups.values()].map(({ labels, values }) => ({
        labels,
        value: aggregate(expr.op, values),
      }));
      return { type: 'vector', samples: sorted(samples) };
    }
    case 'binary': {
      const left = evaluate(expr.left, streams, at, stats);
      const right = evaluate(expr.right, streams, at, stats);
      const apply = (a: number, b: number) => arithmetic(expr.op, a, b);
      if (left.type === 'scalar' && right.type === 'scalar')
        return { type: 'scalar', value: apply(left.value, right.value) };
      if (left.type === 'scalar' && right.type === 'vector')
        return {
          type: 'vector',
          samples: right.samples.map((s) => ({ labels: s.labels, value: apply(left.value, s.value) })),
        };
      if (left.type === 'vector' && right.type === 'scalar')
        return {
          type: 'vector',
          samples: left.samples.map((s) => ({ labels: s.labels, value: apply(s.value, right.value) })),
        };
      const rightByLabels = new Map(
        (right as { samples: Sample[] }).samples.map((s) => [labelsText(s.labels), s]),
      );
      const samples: Sample[] = [];
      for (const l of (left as { samples: Sample[] }).samples) {
        const r = rightByLabels.get(labelsText(l.labels));
        if (r) samples.push({ labels: l.labels, value: apply(l.value, r.value) });
      }
      return { type: 'vector', samples: sorted(samples) };
    }
  }
}

function grouped(
  labels: Record<string, string>,
  grouping: { without: boolean; labels: string[] } | undefined,
): Record<string, string> {
  if (!grouping) return {};
  if (grouping.without)
    return Object.fromEntries(Object.entries(labels).filter(([k]) => !grouping.labels.includes(k)));
  return Object.fromEntries(
    grouping.labels.filter((k) => (labels[k] ?? '') !== '').map((k) => [k, labels[k]!] as const),
  );
}

function aggregate(op: 'sum' | 'count' | 'max' | 'min' | 'avg', values: number[]): number {
  switch (op) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'count':
      return values.length;
    case 'max':
      return values.reduce((a, b) => (Number.isNaN(a) || b > a ? b : a));
    case 'min':
      return values.reduce((a, b) => (Number.isNaN(a) || b < a ? b : a));
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

function arithmetic(op: '+' | '-' | '*' | '/', a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? Number.NaN : a / b;
  }
}

function sorted(samples: Sample[]): Sample[] {
  return samples.sort((a, b) => labelsText(a.labels).localeCompare(labelsText(b.labels)));
}

/** A float as Go's strconv.FormatFloat(v, 'f', -1, 64) writes it (Prometheus's JSON), never with an exponent. */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  const text = String(v);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const [, sign, first, rest = '', exp] = m;
  const digits = first! + rest;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
