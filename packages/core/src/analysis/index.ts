// Barrel of the analysis domain; each module is exported here.
export {};
