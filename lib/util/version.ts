// The package version, as a constant: the library writes it into its lock nodes' data (see
// local-address.ts), and reading package.json at run time differs between the ESM and the
// CommonJS build. A unit test keeps it equal to package.json's.

/** zkurator's version (package.json `version`). */
export const VERSION = '0.1.0';
