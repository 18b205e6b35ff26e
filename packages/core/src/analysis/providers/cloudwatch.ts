/**
 * Amazon CloudWatch: `GetMetricData` through the official
 * `@aws-sdk/client-cloudwatch`, loaded only when a CloudWatch query runs (it
 * is most of a megabyte). Credentials come from the SDK's standard chain:
 * the environment (what `aws-actions/configure-aws-credentials` sets, OIDC
 * included), shared files, or the instance's role. The query is a list of
 * metric data queries (metrics and metric math); each one returned is a
 * series, its value the newest datapoint in the window.
 */
import type { HttpOptions } from '../config.js';
import { type MetricProvider, ProviderError, type Series } from '../metric.js';

export interface CloudWatchSettings {
  region: string;
  /** Instead of the region's public endpoint: a VPC endpoint or a proxy. */
  endpoint?: URL;
}

/** One metric data query as the entry's `metrics` list writes it, in the API's own names. */
export interface MetricDataQuery {
  Id: string;
  Expression?: string;
  MetricStat?: {
    Metric: { Namespace: string; MetricName: string; Dimensions?: Array<{ Name: string; Value: string }> };
    Period: number;
    Stat: string;
    Unit?: string;
  };
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
  AccountId?: string;
}

/** Pages of one evaluation, at most: a window of a few minutes fits in one; this bounds a runaway. */
const MAX_PAGES = 10;

type Client = { send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown> };

export function cloudwatchProvider(settings: CloudWatchSettings, http: HttpOptions): MetricProvider {
  let client: Promise<{ client: Client; command: (input: unknown) => unknown }> | undefined;
  const connect = async () => {
    const sdk = await import('@aws-sdk/client-cloudwatch');
    return {
      client: new sdk.CloudWatchClient({
        region: settings.region,
        ...(settings.endpoint ? { endpoint: settings.endpoint.href } : {}),
        // The SDK backs off and retries throttled calls itself (standard mode).
        maxAttempts: 3,
        requestHandler: { requestTimeout: http.timeoutMs, connectionTimeout: http.timeoutMs },
      }) as unknown as Client,
      command: (input: unknown) => new sdk.GetMetricDataCommand(input as never),
    };
  };
  return {
    describe: `CloudWatch ${settings.endpoint ? settings.endpoint.host : settings.region}`,
    async evaluate({ query, at, lookbackMs, signal }) {
      const queries = JSON.parse(query) as MetricDataQuery[];
      client ??= connect();
      const { client: cloudwatch, command } = await client;
      const results = new Map<string, { label: string; points: Array<[number, number]> }>();
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        let output: GetMetricDataOutput;
        try {
          output = (await cloudwatch.send(
            command({
              MetricDataQueries: queries,
              StartTime: new Date(at - lookbackMs),
              EndTime: new Date(at),
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
            signal ? { abortSignal: signal } : {},
          )) as GetMetricDataOutput;
        } catch (error) {
          if (signal?.aborted) throw error;
          throw new ProviderError(sdkError(error));
        }
        for (const result of output.MetricDataResults ?? []) {
          if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError')
            throw new ProviderError(
              `answered ${result.StatusCode} for "${result.Id}"${messages(result.Messages)}`,
            );
          const entry = results.get(result.Id ?? '') ?? {
            label: result.Label ?? result.Id ?? '',
            points: [],
          };
          const timestamps = result.Timestamps ?? [];
          (result.Values ?? []).forEach((value, i) => {
            const time = timestamps[i];
            if (time !== undefined) entry.points.push([new Date(time).getTime(), value]);
          });
          results.set(result.Id ?? '', entry);
        }
        nextToken = output.NextToken;
        if (!nextToken) break;
      }
      if (nextToken)
        throw new ProviderError(
          `answered more than ${MAX_PAGES} pages; shorten the lookback or lengthen the period`,
        );
      return [...results.entries()].map(([id, { label, points }]): Series => {
        // Datapoints come newest first by default, but the order is the API's: take the newest by time.
        const newest = points.reduce<[number, number] | undefined>(
          (latest, point) => (latest === undefined || point[0] > latest[0] ? point : latest),
          undefined,
        );
        const labels: Record<string, string> = results.size > 1 ? { id } : {};
        if (label && label !== id && results.size > 1) labels.label = label;
        return { labels, value: newest ? newest[1] : Number.NaN };
      });
    },
  };
}

interface GetMetricDataOutput {
  MetricDataResults?: Array<{
    Id?: string;
    Label?: string;
    Timestamps?: Date[];
    Values?: number[];
    StatusCode?: string;
    Messages?: Array<{ Code?: string; Value?: string }>;
  }>;
  NextToken?: string;
}

function messages(list: Array<{ Code?: string; Value?: string }> | undefined): string {
  return list?.length ? `: ${list.map((m) => [m.Code, m.Value].filter(Boolean).join(' ')).join('; ')}` : '';
}

/** What the SDK's error says: the service's error code and message, or why no request was sent. */
function sdkError(error: unknown): string {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (e.name === 'CredentialsProviderError')
    return `found no AWS credentials (${e.message}): set them for the step, e.g. with aws-actions/configure-aws-credentials`;
  return `${status ? `answered ${status} ` : ''}${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
}
