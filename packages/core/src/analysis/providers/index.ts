/**
 * The metric backends a query can run on, by the `provider:` of its entry.
 * Adding one is a file beside this one implementing MetricProvider, its
 * kind in PROVIDER_KINDS (config.ts), its settings in the `providers`
 * schema, and one case here (see ../README.md).
 */
import type { AnalysisConfig, QueryCheck } from '../config.js';
import type { MetricProvider } from '../metric.js';
import { alertmanagerProvider } from './alertmanager.js';
import { cloudwatchProvider } from './cloudwatch.js';
import { datadogProvider } from './datadog.js';
import { influxProvider } from './influxdb.js';
import { lokiProvider } from './loki.js';
import { prometheusProvider } from './prometheus.js';
import { webProvider } from './web.js';

/** The provider that answers `check`; the inputs were checked to configure it, so a gap is a bug. */
export function providerFor(check: QueryCheck, config: AnalysisConfig): MetricProvider {
  const { providers, http } = config;
  const kind = check.provider ?? 'prometheus';
  const missing = () => new Error(`query "${check.name}" uses provider ${kind}, which is not configured`);
  switch (kind) {
    case 'prometheus':
      if (!providers.prometheus) throw missing();
      return prometheusProvider(providers.prometheus, http);
    case 'loki':
      if (!providers.loki) throw missing();
      return lokiProvider(providers.loki, http);
    case 'influxdb':
      if (!providers.influxdb) throw missing();
      return influxProvider(providers.influxdb, http);
    case 'alertmanager':
      if (!providers.alertmanager) throw missing();
      return alertmanagerProvider(providers.alertmanager, http);
    case 'datadog':
      if (!providers.datadog) throw missing();
      return datadogProvider(providers.datadog, http);
    case 'cloudwatch':
      if (!providers.cloudwatch) throw missing();
      return cloudwatchProvider(providers.cloudwatch, http);
    case 'web':
      if (!check.web) throw missing();
      return webProvider(check.web, providers.web ?? { headers: {} }, http);
  }
}
