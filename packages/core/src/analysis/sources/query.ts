/**
 * Metric queries as evidence: each `queries` entry is evaluated once per
 * interval on its provider and every series must stay within `max`/`min`.
 * With `compare: live` the same query, written for `{{slot}}`, is also
 * evaluated for the live slot at the same moment, and the target may be
 * worse than live only by `max-increase` (absolute) and `max-ratio`
 * (relative). No data and backend errors are judged by the named policies.
 */

import { formatDuration } from '../../inputs/duration.js';
import { displayUrl } from '../../secrets.js';
import type { AnalysisConfig, QueryCheck } from '../config.js';
import { formatLabels, formatValue, type MetricProvider, ProviderError, type Series } from '../metric.js';
import { providerFor } from '../providers/index.js';
import type { Evidence, EvidenceSource, IntervalRound, SourceFactory } from '../source.js';
import {
  blindVerdict,
  byPolicy,
  type CheckVerdict,
  checkIdentity,
  type IntervalJudgement,
  policyNote,
  settledVerdict,
  type Tracker,
} from '../verdicts.js';

/** What one evaluation of a query found. `error` and `no-data` are judged later, by policy. */
export type MeasurementOutcome = 'pass' | 'fail' | 'no-data' | 'error';

/** One evaluation of one query, as the report keeps it. */
export interface Measurement {
  check: string;
  interval: number;
  /** When the query was sent, in milliseconds since the epoch. */
  at: number;
  outcome: MeasurementOutcome;
  values: Series[];
  /** `compare: live`: the live slot's series of the same evaluation. */
  live?: Series[];
  /** Why it failed, found nothing, or errored: names the query and, for errors, the server. */
  failure?: string;
}

/**
 * Evaluates one query (both sides of it, with `compare: live`) and judges the
 * answer against its bounds. NaN series (a ratio of zero to zero when there is
 * no traffic) carry no evidence and count as no data.
 */
export async function measure(
  check: QueryCheck,
  provider: MetricProvider,
  interval: number,
  options: { signal?: AbortSignal | undefined; deadline?: number; intervalMs?: number } = {},
): Promise<Measurement> {
  const at = Date.now();
  const base = { check: check.name, interval, at };
  const where = `query "${check.name}" on ${provider.describe}`;
  const evaluation = {
    at: at - (check.delayMs ?? 0),
    lookbackMs: check.lookbackMs ?? options.intervalMs ?? 60_000,
    deadline: options.deadline ?? at + 30_000,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const evaluate = (query: string) =>
    provider.evaluate({ query, ...evaluation }).then(
      (series) => ({ series }),
      (error: unknown) => {
        if (error instanceof ProviderError) return { error: error.message };
        throw error;
      },
    );
  const [target, live] = await Promise.all([
    evaluate(check.query),
    check.compare ? evaluate(check.compare.query) : undefined,
  ]);
  if ('error' in target)
    return { ...base, outcome: 'error', values: [], failure: `${where}: ${target.error}` };
  const values = target.series.filter((s) => !Number.isNaN(s.value));
  if (values.length === 0)
    return {
      ...base,
      values: target.series,
      outcome: 'no-data',
      failure: `${where} returned no data${target.series.length ? ' (only NaN)' : ''}`,
    };
  // The target's own bounds first: a breach fails whatever the live side did.
  const absolute = outsideBounds(check, values);
  if (absolute) return { ...base, values, outcome: 'fail', failure: absolute };
  if (!check.compare || !live) return { ...base, values, outcome: 'pass' };
  const { liveSlot } = check.compare;
  if ('error' in live)
    return {
      ...base,
      values,
      outcome: 'error',
      failure: `${where}, for the live slot ${liveSlot}: ${live.error}`,
    };
  const liveValues = live.series.filter((s) => !Number.isNaN(s.value));
  const measured = { ...base, values, live: liveValues };
  if (liveValues.length === 0) {
    // The live slot takes no traffic (the 100% step): nothing to compare with.
    // The target's own bounds were met; without any, the interval has no evidence.
    const none = `${where} returned no data for the live slot ${liveSlot} to compare with`;
    return check.max !== undefined || check.min !== undefined
      ? { ...measured, outcome: 'pass', failure: `${none}; judged by max/min alone` }
      : { ...measured, outcome: 'no-data', failure: none };
  }
  const pairs = pairSeries(values, liveValues, check.compare.slot, liveSlot);
  const matched = pairs.filter((p): p is { target: Series; live: Series } => p.live !== undefined);
  const relative = worseThanLive(check, matched);
  if (relative) return { ...measured, outcome: 'fail', failure: relative };
  // A target series the live slot has none for cannot be compared: not a pass (it
  // may be a route the new version breaks), so the interval has no evidence.
  const unpaired = pairs.filter((p) => p.live === undefined);
  if (unpaired.length)
    return {
      ...measured,
      outcome: 'no-data',
      failure: `${where}: ${unpaired.length} series of ${check.compare.slot} have no series with the same labels on the live slot ${liveSlot} (e.g.${formatLabels(unpaired[0]!.target.labels)}): write the query so both slots return the same series (e.g. "or" a zero vector by the same labels)`,
    };
  return { ...measured, outcome: 'pass' };
}

function outsideBounds(check: QueryCheck, values: Series[]): string | undefined {
  const outside = values.filter(
    (s) =>
      (check.max !== undefined && s.value > check.max) || (check.min !== undefined && s.value < check.min),
  );
  if (outside.length === 0) return undefined;
  const first = outside[0]!;
  const bound =
    check.max !== undefined && first.value > check.max ? `over max ${check.max}` : `under min ${check.min}`;
  const more = outside.length > 1 ? ` and ${outside.length - 1} more series` : '';
  return `${queryName(check)} = ${formatValue(first.value)}${formatLabels(first.labels)}, ${bound}${more}`;
}

/** How a failure names its query: by name, and by provider beside the default one. */
function queryName(check: QueryCheck): string {
  const provider = check.provider ?? 'prometheus';
  return `query "${check.name}"${provider === 'prometheus' ? '' : ` (${provider})`}`;
}

interface Pair {
  target: Series;
  /** Undefined: the live slot has no series with these labels. */
  live: Series | undefined;
}

/**
 * Pairs the target's series with the live slot's. One series a side (an
 * aggregated query) pair as they are; otherwise series pair by their labels,
 * leaving out labels whose value is a slot's name (`slot="green"` against
 * `slot="blue"`).
 */
function pairSeries(target: Series[], live: Series[], slot: string, liveSlot: string): Pair[] {
  if (target.length === 1 && live.length === 1) return [{ target: target[0]!, live: live[0] }];
  const key = (series: Series) =>
    JSON.stringify(
      Object.entries(series.labels)
        .filter(([, value]) => value !== slot && value !== liveSlot)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  const byKey = new Map(live.map((s) => [key(s), s]));
  return target.map((s) => ({ target: s, live: byKey.get(key(s)) }));
}

/** `target / live`; a live value of zero makes any positive target infinitely worse, and zero against zero equal. */
function ratio(pair: { target: Series; live: Series }): number {
  if (pair.live.value === 0) return pair.target.value === 0 ? 1 : Number.POSITIVE_INFINITY;
  return pair.target.value / pair.live.value;
}

function worseThanLive(
  check: QueryCheck,
  pairs: Array<{ target: Series; live: Series }>,
): string | undefined {
  const { maxIncrease, maxRatio, slot, liveSlot } = check.compare!;
  for (const pair of pairs) {
    const increase = pair.target.value - pair.live.value;
    const overIncrease = maxIncrease !== undefined && increase > maxIncrease;
    const overRatio = maxRatio !== undefined && ratio(pair) > maxRatio;
    // With both bounds, the target must exceed both: each is the tolerance the other one widens.
    const worse =
      maxIncrease !== undefined && maxRatio !== undefined
        ? overIncrease && overRatio
        : overIncrease || overRatio;
    if (!worse) continue;
    const over = [
      overIncrease
        ? `${increase >= 0 ? '+' : ''}${formatValue(increase)}, over max-increase ${maxIncrease}`
        : '',
      overRatio
        ? `${pair.live.value === 0 ? 'live is 0' : `${formatValue(ratio(pair))}× live`}, over max-ratio ${maxRatio}`
        : '',
    ]
      .filter(Boolean)
      .join('; ');
    // Labels only tell series apart; the slot's own label says nothing the sentence does not.
    const labels =
      pairs.length > 1
        ? formatLabels(
            Object.fromEntries(
              Object.entries(pair.target.labels).filter(([, value]) => value !== slot && value !== liveSlot),
            ),
          )
        : '';
    return `${queryName(check)} = ${formatValue(pair.target.value)} on ${slot} vs ${formatValue(pair.live.value)} on ${liveSlot} (live)${labels}: ${over}`;
  }
  return undefined;
}

/**
 * Every how many analysis intervals an entry is evaluated: its own
 * `interval` rounded up to whole intervals (1 without one). The window check
 * (`queryWindowProblems`) counts evaluations by the same rule.
 */
export function roundsPerEvaluation(check: QueryCheck, analysisIntervalMs: number): number {
  return Math.max(1, Math.ceil((check.intervalMs ?? analysisIntervalMs) / analysisIntervalMs));
}

export class QuerySource implements EvidenceSource {
  readonly kind = 'query';
  readonly name: string;
  readonly dryRun: boolean;
  private last: Measurement | undefined;
  /** The last evaluation that had data, for the report. */
  private lastWithData: Measurement | undefined;

  constructor(
    private readonly check: QueryCheck,
    private readonly provider: MetricProvider,
    private readonly config: AnalysisConfig,
    private readonly evidence: Evidence,
  ) {
    this.name = check.name;
    this.dryRun = check.dryRun ?? false;
  }

  async collect(round: IntervalRound): Promise<void> {
    if (round.index % roundsPerEvaluation(this.check, round.intervalMs) !== 0) return;
    this.last = await measure(this.check, this.provider, round.index, {
      signal: round.signal,
      deadline: round.startedAt + round.intervalMs,
      intervalMs: round.intervalMs,
    });
    this.evidence.measurements.push(this.last);
  }

  judge(index: number): IntervalJudgement {
    const m = this.last;
    if (!m || m.interval !== index) {
      const every = this.check.intervalMs;
      if (every !== undefined && m)
        return { outcome: 'pending', note: `evaluated every ${formatDuration(every)} (its interval)` };
      return { outcome: 'unknown', note: 'not evaluated in this interval' };
    }
    if (m.values.length && m.outcome !== 'no-data') this.lastWithData = m;
    return byPolicy(
      m.outcome,
      {
        onNoData: this.check.onNoData ?? this.config.onNoData,
        onError: this.check.onError ?? this.config.onError,
      },
      m.failure,
      (streak) => `${m.failure}, in ${streak} interval${streak > 1 ? 's' : ''} in a row`,
    );
  }

  conclude(tracker: Tracker): CheckVerdict {
    const what = `query "${this.name}"`;
    const { check } = this;
    // A web query is its URL: shown without the credentials it may carry.
    const shown = (query: string) =>
      check.provider === 'web' && URL.canParse(query) ? displayUrl(new URL(query)) : query;
    const decided = settledVerdict(tracker, what) ??
      blindVerdict(tracker, what) ?? {
        verdict: 'pass' as const,
        reason: `${what}: within bounds${check.compare ? ` (and no worse than the live slot ${check.compare.liveSlot} beyond the tolerance)` : ''} in ${tracker.count('pass')} of ${tracker.intervals} intervals${policyNote(tracker)}`,
      };
    const values = this.lastWithData?.values;
    const live = this.lastWithData?.live;
    const series = (list: Series[] | undefined) =>
      list?.length
        ? list
            .slice(0, 5)
            .map((s) => `${formatValue(s.value)}${formatLabels(s.labels)}`)
            .join('<br>')
        : 'no data';
    const bounds = [
      check.min !== undefined ? `min ${check.min}` : '',
      check.max !== undefined ? `max ${check.max}` : '',
      check.compare?.maxIncrease !== undefined ? `max-increase ${check.compare.maxIncrease} over live` : '',
      check.compare?.maxRatio !== undefined ? `max-ratio ${check.compare.maxRatio}× live` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return {
      ...checkIdentity(this, tracker, shown(check.query)),
      ...(check.max !== undefined ? { max: check.max } : {}),
      ...(check.min !== undefined ? { min: check.min } : {}),
      ...(values ? { lastValues: values } : {}),
      ...(live ? { liveValues: live } : {}),
      ...decided,
      table: {
        columns: ['value'],
        rows: [
          [`query (${check.compare?.slot ?? 'as sent'})`, `\`${shown(check.query)}\``],
          ...(check.compare
            ? [[`query (${check.compare.liveSlot}, live)`, `\`${shown(check.compare.query)}\``]]
            : []),
          ['provider', this.provider.describe],
          ['bounds', bounds],
          ['last values', series(values)],
          ...(check.compare ? [['live values', series(live)]] : []),
          ['verdict', decided.reason],
        ],
      },
    };
  }
}

export const querySources: SourceFactory = (config, evidence) =>
  config.queries.map((check) => new QuerySource(check, providerFor(check, config), config, evidence));
