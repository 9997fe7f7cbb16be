// Node.js driver: instantiates a benchmark module (no imports; the programs link no libc) and
// prints run(N) the way `keel run --invoke` does. Usage: node node_run.mjs PROG.wasm N
import { readFileSync } from 'node:fs';

const [file, n] = process.argv.slice(2);
if (!file || n === undefined) {
  console.error('usage: node node_run.mjs PROG.wasm N');
  process.exit(2);
}
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, {});
// An i64 result arrives as a BigInt, printed as a signed decimal like keel and the native driver.
console.log(String(instance.exports.run(Number(n))));
