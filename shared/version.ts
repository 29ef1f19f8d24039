/** Outpost's version; kept equal to package.json's by shared/version.test.ts. */
export const OUTPOST_VERSION = '0.1.0';
