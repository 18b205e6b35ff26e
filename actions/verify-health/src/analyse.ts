// The analysis engine, loaded by main.ts only after the inputs have been read and checked,
// so that a run refused at its inputs does not pay for loading the sources and providers.
export { analyse } from '@glidepath/core';
