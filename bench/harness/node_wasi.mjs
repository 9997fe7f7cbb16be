// Node.js driver for the WASI builds: runs PROG.wasm as a WASI command, the way `keel run` does,
// with the given arguments, an empty environment and no directories granted (the programs need
// none; stdin, stdout and stderr are the process's own). Usage: node node_wasi.mjs PROG.wasm ARGS...
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node node_wasi.mjs PROG.wasm ARGS...');
  process.exit(2);
}
// args[0] is the program name, as a shell would pass it to a native binary.
const wasi = new WASI({ version: 'preview1', args: [file, ...rest], env: {}, preopens: {} });
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
// start() returns the status the program passed to proc_exit (or 0 when main returns).
process.exitCode = wasi.start(instance);
