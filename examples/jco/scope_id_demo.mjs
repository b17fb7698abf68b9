// What jco's generated runtime does after 2^30 calls (docs/findings/
// jco-1.35.0.md, "scope ids"): instantiates the transpiled tables.wat twice
// and calls its pass-host export, which lends a host resource from the
// consumer component to the provider. The first time the runtime is as
// generated; the second time its call counter starts where 2^30 - 1 calls
// would have left it (the one line `let RESOURCE_SCOPE_ID = 0;` reads
// `= 2 ** 30 - 1` instead), which is the only change.
//
//   node scope_id_demo.mjs GEN_DIR     # GEN_DIR: the cache's gen-KEY folder
//
// Prints one line per run and exits 0 when the second run traps where the
// first one returned.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scope_id_demo.mjs GEN_DIR');
  process.exit(2);
}
const text = readFileSync(join(dir, 'tables.js'), 'utf8');
const counter = 'let RESOURCE_SCOPE_ID = 0;';
if (text.split(counter).length !== 2) {
  console.error(`${dir}/tables.js: not one '${counter}'`);
  process.exit(2);
}

async function run(what, source) {
  const { instantiate } = await import('data:text/javascript;base64,' + Buffer.from(source).toString('base64'));
  const modules = new Map();
  const getCoreModule = (file) => {
    if (!modules.has(file)) modules.set(file, new WebAssembly.Module(readFileSync(join(dir, file))));
    return modules.get(file);
  };
  class HostRes {}
  const api = instantiate(getCoreModule, { 'host-res': { default: HostRes } })['test:jco/api'];
  try {
    const got = api.passHost(new HostRes());
    console.log(`${what}: pass-host returned ${got}`);
    return true;
  } catch (err) {
    console.log(`${what}: pass-host trapped: ${err.name}: ${err.message}`);
    return false;
  }
}

const fresh = await run('as generated', text);
const late = await run('after 2^30 - 1 calls', text.replace(counter, 'let RESOURCE_SCOPE_ID = 2 ** 30 - 1;'));
process.exit(fresh && !late ? 0 : 1);
