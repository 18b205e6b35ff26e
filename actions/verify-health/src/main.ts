import { input, readInputs, run, setOutputs } from '@glidepath/core';

await run(async () => {
  const inputs = await readInputs({ url: input.urls() });
  setOutputs({ result: 'pass', url: inputs.url.map(String).join(',') });
});
