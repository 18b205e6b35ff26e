// Barrel of the traffic domain; each module is exported here.
export {};
