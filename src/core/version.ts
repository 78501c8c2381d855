/**
 * @file The plexus version written into model and checkpoint files. A constant rather than a read
 * of package.json, so it is known in a browser bundle too; test/version.test.ts keeps it equal to
 * package.json's "version".
 */
export const PLEXUS_VERSION = '0.1.0';
