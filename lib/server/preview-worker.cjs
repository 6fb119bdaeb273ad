// A worker thread starts without the loaders of its parent: register tsx, then run the TypeScript entry.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS bootstrap is the point of this file */
require('tsx/cjs');
require('./preview-worker.ts');
