// Another process loading the disk, for the latency benchmark: writes 8 MiB blocks to one file and
// fsyncs after each (as a backup, a compaction or a log shipper would), wrapping at 1 GiB so the file
// stays bounded, until SIGTERM; then prints what it wrote as JSON on stdout.
// Usage: node bench/disk-load.mjs <file>
import { closeSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';

const file = process.argv[2];
if (!file) throw new Error('usage: node bench/disk-load.mjs <file>');
const block = Buffer.alloc(8 * 1024 * 1024, 0x5a);
const wrapAt = 1024 * 1024 * 1024;
const fd = openSync(file, 'w');
let position = 0;
let written = 0;
let syncs = 0;
let stopping = false;
const started = performance.now();
process.on('SIGTERM', () => (stopping = true));

// Each block is written and synced on this thread; the signal is looked at between blocks.
const step = () => {
  if (stopping) {
    closeSync(fd);
    unlinkSync(file);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`${JSON.stringify({ mib: Math.round(written / 1048576), seconds: Math.round(seconds * 10) / 10, syncs })}\n`);
    return;
  }
  writeSync(fd, block, 0, block.length, position);
  fsyncSync(fd);
  syncs += 1;
  written += block.length;
  position = position + block.length >= wrapAt ? 0 : position + block.length;
  setImmediate(step);
};
step();
