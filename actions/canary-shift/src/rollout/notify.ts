import { errorMessage, redact } from '@glidepath/core';
import type { ShiftPlan } from './plan.js';
import type { ShiftOutcome } from './shift.js';

export interface Notification {
  environment: string;
  version: string;
  plan: ShiftPlan;
  outcome: ShiftOutcome;
  runUrl?: string;
}

/**
 * The message for a Slack-compatible incoming webhook: `text` is what Slack,
 * Mattermost, Rocket.Chat and Discord's `/slack` endpoint all show; `blocks`
 * adds Slack's richer layout.
 */
export function webhookPayload(n: Notification): { text: string; blocks: unknown[] } {
  const icon =
    n.outcome.result === 'promoted'
      ? ':white_check_mark:'
      : n.outcome.result === 'held'
        ? ':pause_button:'
        : ':rewind:';
  const verb =
    n.outcome.result === 'promoted' ? 'promoted' : n.outcome.result === 'held' ? 'held' : 'rolled back';
  const text = redact(
    `${icon} ${n.environment}: ${n.version} ${verb} (${n.plan.target} at ${n.outcome.weight}%). ${n.outcome.reason}`,
  );
  const context = [`strategy ${n.plan.strategy}`, `steps ${n.plan.steps.map((s) => s.weight).join(',')}`];
  if (n.runUrl) context.push(`<${n.runUrl}|run>`);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] },
    ],
  };
}

/**
 * Posts the notification. A webhook is a courtesy, not part of the release:
 * any failure (network, non-2xx, timeout) is returned as a warning message for
 * the caller to log, and never thrown. The URL is a secret and never appears
 * in that message.
 */
export async function sendWebhook(
  url: string,
  payload: unknown,
  options: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<string | undefined> {
  const doFetch = options.fetch ?? fetch;
  try {
    const response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    if (!response.ok)
      return `The webhook answered HTTP ${response.status}; the notification was not delivered.`;
    await response.arrayBuffer().catch(() => undefined);
    return undefined;
  } catch (error) {
    return redact(
      `The webhook could not be reached (${errorMessage(error).split(url).join('***')}); the notification was not delivered.`,
    );
  }
}
