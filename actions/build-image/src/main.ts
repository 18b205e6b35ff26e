// Placeholder while the action is being written; replaced by its real entry point.
export {};
