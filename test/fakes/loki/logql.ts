/**
 * The LogQL the Loki fake understands, read from the parse tree of Grafana's
 * own LogQL grammar (`@grafana/lezer-logql`), never from regular expressions
 * over the query text.
 *
 * Three steps, in the order Loki takes them (pkg/logql/syntax/parser.go
 * `ParseExpr`, then the querier's instant-query handler):
 *
 *   1. syntax: a tree with an error node (`⚠`) is Loki's 400 `parse error at
 *      line L, col C: syntax error: unexpected TOKEN`, with the offending token
 *      named as Loki's yacc parser names it (see `tokenName`). The `expecting …`
 *      tail Loki sometimes adds is not reproduced;
 *   2. validation: a selector whose every matcher matches the empty string
 *      (`{}`, `{app=~".*"}`, `{app!="x"}`) is Loki's 400 `parse error : queries
 *      require at least one regexp or equality matcher that does not have an
 *      empty-compatible value…`; a `by`/`without` on count_over_time or rate is
 *      `parse error : grouping not allowed for … aggregation`; a bad range is
 *      `not a valid duration string`;
 *   3. building the expression the fake evaluates: anything the grammar allows
 *      but the fake does not implement raises `Unsupported`, which the server
 *      answers 501 and records, so a test never passes on a guess.
 *
 * `{}` is the one place the two grammars differ: lezer-logql rejects it as a
 * syntax error, while Loki's own grammar (syntax.y: `OPEN_BRACE CLOSE_BRACE`)
 * accepts it and its validation refuses it. The fake answers as Loki does.
 */
import { parser } from '@grafana/lezer-logql';

type Tree = ReturnType<typeof parser.parse>;
type SyntaxNode = Tree['topNode'];

/** Loki's text for a selector without a matcher that selects anything (pkg/logql/syntax/parser.go). */
export const EMPTY_COMPATIBLE =
  'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will';

/** Loki's text for a log query sent to the instant endpoint (Loki ≥ 3.2.0, logqlmodel.ErrUnsupportedSyntaxForInstantQuery). */
export const LOG_QUERY_ON_INSTANT =
  'log queries are not supported as an instant query type, please change your query to a range query type';

/** What Loki answers 400 to: its own error text, sent as text/plain. */
export class QueryError extends Error {
  constructor(readonly text: string) {
    super(text);
  }
}

/** A construct the grammar allows and the fake does not evaluate: 501, and recorded. */
export class Unsupported extends Error {
  constructor(
    readonly construct: string,
    readonly text: string,
  ) {
    super(`the Loki fake does not implement ${construct} (in: ${text})`);
  }
}

export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
  /** For =~ and !~: anchored at both ends, as Prometheus label matchers are. */
  regex?: RegExp;
}

export type FilterOp = '|=' | '!=' | '|~' | '!~';
export interface LineFilter {
  op: FilterOp;
  value: string;
  /** For |~ and !~: unanchored. */
  regex?: RegExp;
}

export interface LogSelector {
  matchers: LabelMatcher[];
  filters: LineFilter[];
}

export type VectorOp = 'sum' | 'count' | 'max' | 'min' | 'avg';
export type ArithmeticOp = '+' | '-' | '*' | '/';

export type SampleExpr =
  | { kind: 'range'; op: 'count_over_time' | 'rate'; selector: LogSelector; rangeNs: bigint }
  | {
      kind: 'vector';
      op: VectorOp;
      grouping: { without: boolean; labels: string[] } | undefined;
      inner: SampleExpr;
    }
  | { kind: 'binary'; op: ArithmeticOp; left: SampleExpr; right: SampleExpr }
  | { kind: 'literal'; value: number };

export type Query = { kind: 'log'; selector: LogSelector } | { kind: 'metric'; expr: SampleExpr };

/** Loki's maximum query length (pkg/logql/syntax/parser.go maxInputSize). */
const MAX_INPUT_SIZE = 131072;

/**
 * Steps 1 and 2: throws QueryError for what Loki refuses with 400. Returns
 * whether the query is a log query (a selector, possibly with a pipeline) or a
 * metric query, so the caller can refuse a log query on the instant endpoint
 * before the fake tries to build what it may not implement.
 */
export function checkQuery(query: string): { tree: Tree; isLog: boolean } {
  if (query.length >= MAX_INPUT_SIZE)
    throw new QueryError(`parse error : input size too long (${query.length} > ${MAX_INPUT_SIZE})`);
  const tree = parser.parse(query);
  const error = firstSyntaxError(tree, query);
  if (error !== undefined) throw new QueryError(syntaxError(query, error));
  validate(tree.topNode, query);
  const expr = childrenOf(tree.topNode).find((n) => n.name === 'Expr');
  const top = expr && childrenOf(expr)[0];
  return { tree, isLog: top?.name === 'LogExpr' };
}

/** Step 3: the expression to evaluate (after checkQuery). */
export function buildQuery(query: string, tree: Tree): Query {
  const expr = childrenOf(tree.topNode).find((n) => n.name === 'Expr');
  if (!expr) throw new QueryError(syntaxError(query, 0));
  const top = childrenOf(expr)[0]!;
  if (top.name === 'LogExpr') return { kind: 'log', selector: logExpr(top, query) };
  return { kind: 'metric', expr: metricExpr(top, query) };
}

// ---------------------------------------------------------------- syntax errors

function isEmptySelector(node: SyntaxNode, query: string): boolean {
  return node.name === 'Selector' && /^\{\s*\}$/.test(query.slice(node.from, node.to));
}

/** The offset of the first error node, except the `{}` Loki's grammar allows. */
function firstSyntaxError(tree: Tree, query: string): number | undefined {
  let found: number | undefined;
  tree.iterate({
    enter(ref) {
      if (found !== undefined) return false;
      if (ref.type.isError) {
        const parent = ref.node.parent;
        if (parent && isEmptySelector(parent, query)) return false;
        found = ref.from;
        return false;
      }
      return undefined;
    },
  });
  if (found === undefined && query.trim() === '') return query.length;
  return found;
}

/** Tokens Loki's lexer prints as their text (lex.go `tokens`, which overrides yacc's names in its init). */
const LITERAL_WORDS = new Set([
  'by',
  'without',
  'bool',
  'json',
  'logfmt',
  'regexp',
  'unpack',
  'pattern',
  'label_format',
  'line_format',
  'ip',
  'decolorize',
  'drop',
  'keep',
  'offset',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'or',
  'and',
  'unless',
  'label_replace',
  'unwrap',
]);

/** Function tokens (lex.go `functionTokens`): printed by their yacc names when followed by `(`. */
const FUNCTION_WORDS: Record<string, string> = {
  rate: 'RATE',
  rate_counter: 'RATE_COUNTER',
  count_over_time: 'COUNT_OVER_TIME',
  bytes_rate: 'BYTES_RATE',
  bytes_over_time: 'BYTES_OVER_TIME',
  avg_over_time: 'AVG_OVER_TIME',
  sum_over_time: 'SUM_OVER_TIME',
  min_over_time: 'MIN_OVER_TIME',
  max_over_time: 'MAX_OVER_TIME',
  stdvar_over_time: 'STDVAR_OVER_TIME',
  stddev_over_time: 'STDDEV_OVER_TIME',
  quantile_over_time: 'QUANTILE_OVER_TIME',
  first_over_time: 'FIRST_OVER_TIME',
  last_over_time: 'LAST_OVER_TIME',
  absent_over_time: 'ABSENT_OVER_TIME',
  vector: 'VECTOR',
  sum: 'SUM',
  avg: 'AVG',
  max: 'MAX',
  min: 'MIN',
  count: 'COUNT',
  stddev: 'STDDEV',
  stdvar: 'STDVAR',
  bottomk: 'BOTTOMK',
  topk: 'TOPK',
  sort: 'SORT',
  sort_desc: 'SORT_DESC',
  approx_topk: 'APPROX_TOPK',
  bytes: 'BYTES_CONV',
  duration: 'DURATION_CONV',
  duration_seconds: 'DURATION_SECONDS_CONV',
};

const OPERATORS = ['=~', '!~', '!=', '|=', '|~', '|>', '!>', '==', '>=', '<=', '=', '|', '>', '<'];

/** How Loki's parser names the token at `at`: `$end`, `STRING`, `IDENTIFIER`, `RANGE`, `)`, `RATE`… */
function tokenName(query: string, at: number): { name: string; at: number } {
  let i = at;
  while (i < query.length && /\s/.test(query[i]!)) i++;
  if (i >= query.length) return { name: '$end', at: query.length };
  const rest = query.slice(i);
  const c = rest[0]!;
  if (c === '"' || c === '`') return { name: 'STRING', at: i };
  if (c === '[') return { name: 'RANGE', at: i };
  const number = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(rest);
  if (number) {
    const duration = /^\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y)/.exec(rest);
    return { name: duration ? 'DURATION' : 'NUMBER', at: i };
  }
  const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
  if (word) {
    const lower = word.toLowerCase();
    if (LITERAL_WORDS.has(lower)) return { name: lower, at: i };
    const fn = FUNCTION_WORDS[lower];
    if (fn && /^\s*(?:\(|by\b|without\b)/.test(rest.slice(word.length))) return { name: fn, at: i };
    return { name: 'IDENTIFIER', at: i };
  }
  const op = OPERATORS.find((o) => rest.startsWith(o));
  return { name: op ?? c, at: i };
}

/** Line and column as text/scanner counts them: 1-based, in characters. */
function position(query: string, at: number): { line: number; col: number } {
  const before = query.slice(0, at);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line, col: Array.from(before.slice(lineStart)).length + 1 };
}

function syntaxError(query: string, at: number): string {
  const token = tokenName(query, at);
  const { line, col } = position(query, token.at);
  return `parse error at line ${line}, col ${col}: syntax error: unexpected ${token.name}`;
}

// ---------------------------------------------------------------- validation

function validate(root: SyntaxNode, query: string): void {
  const visit = (node: SyntaxNode) => {
    if (node.name === 'Selector') {
      const matchers = isEmptySelector(node, query) ? [] : selectorMatchers(node, query, false);
      // Loki's SplitFiltersAndMatchers: a matcher that matches "" selects no stream by itself.
      if (!matchers.some((m) => m !== undefined && !matches(m, ''))) throw new QueryError(EMPTY_COMPATIBLE);
    }
    if (node.name === 'Range') parseRange(node, query);
    if (node.name === 'RangeAggregationExpr') {
      const op = childrenOf(childOf(node, 'RangeOp')!)[0]?.name;
      const grouping = childOf(node, 'Grouping');
      const name = op ? RANGE_OPS[op] : undefined;
      if (grouping && name && !GROUPABLE_RANGE_OPS.has(name))
        throw new QueryError(`parse error : grouping not allowed for ${name} aggregation`);
    }
    for (const child of childrenOf(node)) visit(child);
  };
  visit(root);
}

const RANGE_OPS: Record<string, string> = {
  CountOverTime: 'count_over_time',
  Rate: 'rate',
  RateCounter: 'rate_counter',
  BytesOverTime: 'bytes_over_time',
  BytesRate: 'bytes_rate',
  AvgOverTime: 'avg_over_time',
  SumOverTime: 'sum_over_time',
  MinOverTime: 'min_over_time',
  MaxOverTime: 'max_over_time',
  StddevOverTime: 'stddev_over_time',
  StdvarOverTime: 'stdvar_over_time',
  QuantileOverTime: 'quantile_over_time',
  FirstOverTime: 'first_over_time',
  LastOverTime: 'last_over_time',
  AbsentOverTime: 'absent_over_time',
};

/** Range aggregations that may carry `by`/`without` (ast.go `RangeAggregationExpr.validate`). */
const GROUPABLE_RANGE_OPS = new Set([
  'avg_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'quantile_over_time',
  'max_over_time',
  'min_over_time',
  'first_over_time',
  'last_over_time',
]);

// ---------------------------------------------------------------- building

function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling)
    if (child.name !== 'LineComment') out.push(child);
  return out;
}

function childOf(node: SyntaxNode, name: string): SyntaxNode | undefined {
  return childrenOf(node).find((c) => c.name === name);
}

function textOf(node: SyntaxNode, query: string): string {
  return query.slice(node.from, node.to);
}

function logExpr(node: SyntaxNode, query: string): LogSelector {
  // `( logExpr )` is allowed by both grammars.
  const inner = childOf(node, 'LogExpr');
  if (inner) return logExpr(inner, query);
  return selectorWithPipeline(node, query);
}

/** A Selector and an optional PipelineExpr among `node`'s children (LogExpr or LogRangeExpr). */
function selectorWithPipeline(node: SyntaxNode, query: string): LogSelector {
  const selector = childOf(node, 'Selector');
  if (!selector) throw new Unsupported(`${node.name} without a stream selector`, textOf(node, query));
  const matchers = isEmptySelector(selector, query)
    ? []
    : (selectorMatchers(selector, query, true) as LabelMatcher[]);
  const pipeline = childOf(node, 'PipelineExpr');
  return { matchers, filters: pipeline ? pipelineFilters(pipeline, query) : [] };
}

/** The matchers of a Selector; with `strict` false, a regex JS cannot compile is undefined instead of Unsupported. */
function selectorMatchers(
  selector: SyntaxNode,
  query: string,
  strict: boolean,
): Array<LabelMatcher | undefined> {
  const out: Array<LabelMatcher | undefined> = [];
  const visit = (node: SyntaxNode) => {
    for (const child of childrenOf(node)) {
      if (child.name === 'Matchers') visit(child);
      else if (child.name === 'Matcher') {
        try {
          out.push(matcher(child, query));
        } catch (error) {
          if (strict || !(error instanceof Unsupported)) throw error;
          out.push(undefined);
        }
      }
    }
  };
  visit(selector);
  return out;
}

function matcher(node: SyntaxNode, query: string): LabelMatcher {
  const parts = childrenOf(node);
  const name = parts.find((p) => p.name === 'Identifier');
  const opNode = parts.find((p) => ['Eq', 'Neq', 'Re', 'Nre'].includes(p.name));
  const value = parts.find((p) => p.name === 'String');
  if (!name || !opNode || !value) throw new Unsupported('this label matcher', textOf(node, query));
  const op = ({ Eq: '=', Neq: '!=', Re: '=~', Nre: '!~' } as const)[
    opNode.name as 'Eq' | 'Neq' | 'Re' | 'Nre'
  ];
  const text = unquote(value, query);
  const m: LabelMatcher = { name: textOf(name, query), op, value: text };
  if (op === '=~' || op === '!~') m.regex = goRegex(text, true, textOf(node, query));
  return m;
}

export function matches(m: LabelMatcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return m.regex!.test(value);
    case '!~':
      return !m.regex!.test(value);
  }
}

function pipelineFilters(pipeline: SyntaxNode, query: string): LineFilter[] {
  const filters: LineFilter[] = [];
  const visitLineFilters = (node: SyntaxNode) => {
    for (const child of childrenOf(node)) {
      if (child.name === 'LineFilters') visitLineFilters(child);
      else if (child.name === 'LineFilter') filters.push(lineFilter(child, query));
      else throw new Unsupported(`the ${child.name} line filter`, textOf(child, query));
    }
  };
  for (const stage of childrenOf(pipeline)) {
    if (stage.name !== 'PipelineStage') throw new Unsupported(stage.name, textOf(stage, query));
    const parts = childrenOf(stage);
    if (parts.length !== 1 || parts[0]!.name !== 'LineFilters')
      throw new Unsupported(
        `the pipeline stage ${parts.map((p) => p.name).join(' ')} (only line filters are)`,
        textOf(stage, query),
      );
    visitLineFilters(parts[0]!);
  }
  return filters;
}

function lineFilter(node: SyntaxNode, query: string): LineFilter {
  const parts = childrenOf(node);
  const opNode = childrenOf(parts.find((p) => p.name === 'Filter') ?? node)[0];
  const ops = { PipeExact: '|=', Neq: '!=', PipeMatch: '|~', Nre: '!~' } as const;
  const op = opNode ? ops[opNode.name as keyof typeof ops] : undefined;
  const others = parts.filter((p) => p.name !== 'Filter' && p.name !== 'String');
  const value = parts.find((p) => p.name === 'String');
  if (!op || !value || others.length > 0)
    throw new Unsupported(
      `the line filter ${opNode ? textOf(opNode, query) : '?'}${others.length ? ` with ${others.map((o) => o.name).join(', ')}` : ''}`,
      textOf(node, query),
    );
  const text = unquote(value, query);
  const filter: LineFilter = { op, value: text };
  if (op === '|~' || op === '!~') filter.regex = goRegex(text, false, textOf(node, query));
  return filter;
}

function metricExpr(node: SyntaxNode, query: string): SampleExpr {
  const parts = childrenOf(node);
  // `( metricExpr )`
  if (parts.length === 1 && parts[0]!.name === 'MetricExpr') return metricExpr(parts[0]!, query);
  if (parts.length === 1 && parts[0]!.name === 'Expr') return metricExpr(childrenOf(parts[0]!)[0]!, query);
  const inner = parts[0];
  if (!inner) throw new Unsupported('an empty metric expression', textOf(node, query));
  switch (inner.name) {
    case 'RangeAggregationExpr':
      return rangeAggregation(inner, query);
    case 'VectorAggregationExpr':
      return vectorAggregation(inner, query);
    case 'BinOpExpr':
      return binary(inner, query);
    case 'LiteralExpr':
      return literal(inner, query);
    case 'MetricExpr':
      return metricExpr(inner, query);
    default:
      throw new Unsupported(inner.name, textOf(inner, query));
  }
}

function rangeAggregation(node: SyntaxNode, query: string): SampleExpr {
  const opNode = childrenOf(childOf(node, 'RangeOp')!)[0]!;
  const op = RANGE_OPS[opNode.name];
  if (op !== 'count_over_time' && op !== 'rate')
    throw new Unsupported(`the range aggregation ${op ?? opNode.name}`, textOf(node, query));
  const extra = childrenOf(node).filter((c) => !['RangeOp', 'LogRangeExpr'].includes(c.name));
  if (extra.length) throw new Unsupported(`${extra[0]!.name} in ${op}`, textOf(node, query));
  const range = childOf(node, 'LogRangeExpr')!;
  const rangeParts = childrenOf(range).filter((c) => !['Selector', 'PipelineExpr', 'Range'].includes(c.name));
  if (rangeParts.length)
    throw new Unsupported(`${rangeParts.map((p) => p.name).join(', ')} in a log range`, textOf(range, query));
  return {
    kind: 'range',
    op,
    selector: selectorWithPipeline(range, query),
    rangeNs: parseRange(childOf(range, 'Range')!, query),
  };
}

const VECTOR_OPS: Record<string, VectorOp> = {
  Sum: 'sum',
  Count: 'count',
  Max: 'max',
  Min: 'min',
  Avg: 'avg',
};

function vectorAggregation(node: SyntaxNode, query: string): SampleExpr {
  const opNode = childrenOf(childOf(node, 'VectorOp')!)[0]!;
  const op = VECTOR_OPS[opNode.name];
  if (!op) throw new Unsupported(`the vector aggregation ${textOf(opNode, query)}`, textOf(node, query));
  const parts = childrenOf(node).filter((c) => c.name !== 'VectorOp');
  const extra = parts.filter((c) => c.name !== 'Grouping' && c.name !== 'MetricExpr');
  if (extra.length)
    throw new Unsupported(`${extra.map((e) => e.name).join(', ')} in ${op}()`, textOf(node, query));
  const inner = childOf(node, 'MetricExpr');
  if (!inner) throw new Unsupported(`${op}() without a metric expression`, textOf(node, query));
  const groupingNode = childOf(node, 'Grouping');
  return {
    kind: 'vector',
    op,
    grouping: groupingNode && grouping(groupingNode, query),
    inner: metricExpr(inner, query),
  };
}

function grouping(node: SyntaxNode, query: string): { without: boolean; labels: string[] } {
  const without = childOf(node, 'Without') !== undefined;
  const labels: string[] = [];
  const visit = (n: SyntaxNode) => {
    for (const c of childrenOf(n)) {
      if (c.name === 'Labels') visit(c);
      else if (c.name === 'Identifier') labels.push(textOf(c, query));
    }
  };
  visit(node);
  return { without, labels };
}

const BIN_OPS: Record<string, ArithmeticOp> = { Add: '+', Sub: '-', Mul: '*', Div: '/' };

function binary(node: SyntaxNode, query: string): SampleExpr {
  const parts = childrenOf(node);
  const exprs = parts.filter((p) => p.name === 'Expr');
  const opNode = parts.find((p) => p.name !== 'Expr' && p.name !== 'BinOpModifier');
  const modifier = parts.find((p) => p.name === 'BinOpModifier');
  const op = opNode ? BIN_OPS[opNode.name] : undefined;
  if (!op || exprs.length !== 2)
    throw new Unsupported(`the binary operator ${opNode ? textOf(opNode, query) : '?'}`, textOf(node, query));
  if (modifier && modifier.to > modifier.from)
    throw new Unsupported(`the binary operator modifier ${textOf(modifier, query)}`, textOf(node, query));
  const side = (expr: SyntaxNode) => {
    const top = childrenOf(expr)[0]!;
    if (top.name !== 'MetricExpr')
      // Loki's grammar has no binary operation on log expressions either.
      throw new Unsupported(`a binary operation on ${top.name}`, textOf(node, query));
    return metricExpr(top, query);
  };
  return { kind: 'binary', op, left: side(exprs[0]!), right: side(exprs[1]!) };
}

function literal(node: SyntaxNode, query: string): SampleExpr {
  const parts = childrenOf(node);
  const number = parts.find((p) => p.name === 'Number');
  if (!number) throw new Unsupported('this literal', textOf(node, query));
  const sign = parts.some((p) => p.name === 'Sub') ? -1 : 1;
  const value = Number(textOf(number, query));
  if (Number.isNaN(value)) throw new Unsupported(`the number ${textOf(number, query)}`, textOf(node, query));
  return { kind: 'literal', value: sign * value };
}

// ---------------------------------------------------------------- strings, durations, regexes

/** A LogQL string: Go's double-quoted escapes, or a raw backtick string. */
function unquote(node: SyntaxNode, query: string): string {
  const raw = textOf(node, query);
  if (raw.startsWith('`')) return raw.slice(1, -1);
  const body = raw.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (e !== undefined && simple[e] !== undefined) {
      out += simple[e];
      continue;
    }
    const hex = (len: number) => {
      const digits = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(digits)) throw escapeError(query, node.from + 1 + i);
      i += len;
      return String.fromCodePoint(Number.parseInt(digits, 16));
    };
    if (e === 'x') out += hex(2);
    else if (e === 'u') out += hex(4);
    else if (e === 'U') out += hex(8);
    else if (e !== undefined && /[0-7]/.test(e)) {
      const digits = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(digits)) throw escapeError(query, node.from + 1 + i);
      out += String.fromCharCode(Number.parseInt(digits, 8));
      i += 2;
    } else throw escapeError(query, node.from + 1 + i);
  }
  return out;
}

function escapeError(query: string, at: number): QueryError {
  const { line, col } = position(query, at);
  return new QueryError(`parse error at line ${line}, col ${col}: invalid char escape`);
}

const DURATION_UNITS: Record<string, bigint> = {
  y: 365n * 24n * 3600n * 1_000_000_000n,
  w: 7n * 24n * 3600n * 1_000_000_000n,
  d: 24n * 3600n * 1_000_000_000n,
  h: 3600n * 1_000_000_000n,
  m: 60n * 1_000_000_000n,
  s: 1_000_000_000n,
  ms: 1_000_000n,
};

/** A `[range]` as Loki's lexer reads it: Prometheus's model.ParseDuration (`1h30m`, `5m`, `250ms`). */
function parseRange(node: SyntaxNode, query: string): bigint {
  const text = textOf(node, query)
    .replace(/^\[\s*/, '')
    .replace(/\s*\]$/, '');
  const re = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
  const m = re.exec(text);
  if (!m || text === '') {
    const { line, col } = position(query, node.from);
    throw new QueryError(`parse error at line ${line}, col ${col}: not a valid duration string: "${text}"`);
  }
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  return units.reduce((sum, unit, i) => sum + BigInt(m[i + 1] ?? '0') * DURATION_UNITS[unit]!, 0n);
}

/**
 * A Go (RE2) regular expression as a JavaScript one. The common subset is
 * the same; leading flag groups (`(?i)`, `(?s)`) become flags and `(?P<name>`
 * a named group. Anything JavaScript will not compile is Unsupported rather
 * than a guess.
 */
function goRegex(source: string, anchored: boolean, where: string): RegExp {
  let body = source;
  let flags = '';
  const leading = /^\(\?([imsU]+)\)/.exec(body);
  if (leading) {
    if (leading[1]!.includes('U')) throw new Unsupported(`the regular expression flag U`, where);
    flags = [...new Set(leading[1]!)].join('');
    body = body.slice(leading[0].length);
  }
  if (/\(\?[a-zA-Z]+[):]/.test(body)) throw new Unsupported(`inline regular expression flags`, where);
  body = body.replace(/\(\?P</g, '(?<');
  try {
    return new RegExp(anchored ? `^(?:${body})$` : body, flags);
  } catch {
    throw new Unsupported(`the regular expression ${JSON.stringify(source)}`, where);
  }
}
