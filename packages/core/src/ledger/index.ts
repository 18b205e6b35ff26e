// Barrel of the ledger domain; each module is exported here.
export {};
