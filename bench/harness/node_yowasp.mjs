// Runs a YoWASP package's command in Node.js the way its users do (the package's own JS bundle,
// its WASI shims, V8's tiers), for bench/workloads.py to time beside keel.
// Usage: node node_yowasp.mjs BUNDLE.js EXPORT INPUT_DIR ARG...
// EXPORT names the command: runYosys, or commands.clang. INPUT_DIR's files are given to the
// command as its working directory's `in/` tree (files only, not subdirectories); the command's stdout goes to ours, and its exit
// status becomes ours.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [bundle, exportName, inputDir, ...args] = process.argv.slice(2);
const module = await import(pathToFileURL(path.resolve(bundle)).href);
const command = exportName.split('.').reduce((object, key) => object[key], module);

const tree = {};
for (const entry of fs.readdirSync(inputDir, { withFileTypes: true }))
  if (entry.isFile()) tree[entry.name] = fs.readFileSync(path.join(inputDir, entry.name));

const write = (stream) => (bytes) => { if (bytes) stream.write(bytes); };
try {
  await command(args, { in: tree }, { stdout: write(process.stdout), stderr: write(process.stderr) });
} catch (e) {
  if (e && typeof e.code === 'number') process.exit(e.code);
  throw e;
}
