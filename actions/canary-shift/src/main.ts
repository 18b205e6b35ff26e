import { registerSecret, run } from '@glidepath/core';
import { readContext } from './context.js';

// Inputs first: a run refused at its inputs loads only what reads them. The shift itself
// (routers, ledger, analysis, summary) is loaded once they are good, and by the post step.
await run(
  async (runContext) => {
    registerSecret(process.env.GITHUB_TOKEN);
    const context = await readContext();
    const { shiftRelease } = await import('./release.js');
    await shiftRelease(context, runContext);
  },
  async () => (await import('./release.js')).post(),
);
