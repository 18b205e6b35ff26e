import { runnerLog } from './log.js';
import { setOutput } from './runner.js';
import { containsSecret, redact } from './secrets.js';

/**
 * Sets the action's outputs from one typed object keyed by the `action.yml`
 * names. Objects are written as JSON. A value that contains a registered secret
 * is redacted and a warning says so, since outputs are visible to every later
 * job that reads them.
 */
export function setOutputs(outputs: Record<string, string | number | boolean | object | undefined>): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (value === undefined) continue;
    let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (containsSecret(text)) {
      runnerLog.warning(`Output "${name}" contained a secret; it was redacted.`);
      text = redact(text);
    }
    setOutput(name, text);
  }
}
