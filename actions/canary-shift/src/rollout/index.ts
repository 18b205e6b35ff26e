export * from './analyst.js';
export * from './notify.js';
export * from './plan.js';
export * from './rollout.js';
export * from './shift.js';
export * from './start.js';
export * from './summary.js';
