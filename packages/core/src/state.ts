import { getState, saveState } from './runner.js';
import { containsSecret } from './secrets.js';

/**
 * The one owner of `STATE_*` values shared between an action's main and post
 * entries. Values are JSON; a value carrying a registered secret is refused,
 * because the state file is readable by every later step of the job.
 */
export class PostState<Shape extends Record<string, unknown>> {
  save<K extends keyof Shape & string>(key: K, value: Shape[K]): void {
    const encoded = JSON.stringify(value);
    if (containsSecret(encoded)) throw new Error(`Refusing to save state "${key}": it contains a secret.`);
    saveState(key, encoded);
  }

  get<K extends keyof Shape & string>(key: K): Shape[K] | undefined {
    const raw = getState(key);
    if (raw === '') return undefined;
    try {
      return JSON.parse(raw) as Shape[K];
    } catch {
      return undefined;
    }
  }
}

const IS_POST = 'isPost';

/** True in the post entry: main saved the marker, and the runner hands it back as STATE_isPost. */
export function isPostEntry(): boolean {
  return getState(IS_POST) === 'true';
}

export function markMainStarted(): void {
  saveState(IS_POST, 'true');
}
