// Transpiles examples/jco/*.wat with jco's transpiler, as `jco transpile
// --instantiation sync` does, and checks that the generated JavaScript runs:
// it instantiates the component and calls each export once.
//
//   node transpile.mjs NODE_MODULES OUT_DIR WAT...
//
// NODE_MODULES is the folder where npm installed examples/jco/package.json;
// OUT_DIR receives NAME.js (and its core modules) for each NAME.wat. Run by
// examples/jco/child on first use; progress goes to standard error.
import { readFileSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, outDir, ...wats] = process.argv.slice(2);
if (!modules || !outDir || wats.length === 0) {
  console.error('usage: node transpile.mjs NODE_MODULES OUT_DIR WAT...');
  process.exit(2);
}

const pkg = join(modules, '@bytecodealliance', 'jco-transpile');
const { parse } = await import(pathToFileURL(join(pkg, 'dist', 'wasm-tools.js')).href);
const { transpileBytes } = await import(pathToFileURL(join(pkg, 'dist', 'transpile.js')).href);

await mkdir(outDir, { recursive: true });
for (const wat of wats) {
  const name = basename(wat, '.wat');
  const bytes = await parse(await readFile(wat, 'utf8'));
  // jco transpile --instantiation sync --no-typescript: the module exports
  // instantiate(getCoreModule, imports), so every call builds a fresh
  // runtime (fresh tables, fresh task state).
  const { files } = await transpileBytes(bytes, {
    name,
    instantiation: 'sync',
    emitTypescriptDeclarations: false,
  });
  for (const [file, source] of Object.entries(files)) {
    await writeFile(join(outDir, file), source);
  }
  console.error(`transpile.mjs: ${wat} -> ${join(outDir, name + '.js')}`);
  await smokeTest(outDir, name);
}

// Instantiates the component with real core modules and a host resource,
// and calls its exports: proof that the generated code the child loads is
// a working runtime, not just text.
async function smokeTest(dir, name) {
  const { instantiate } = await import(pathToFileURL(join(dir, name + '.js')).href);
  const modulesByName = new Map();
  const getCoreModule = (file) => {
    if (!modulesByName.has(file)) {
      modulesByName.set(file, new WebAssembly.Module(readFileSync(join(dir, file))));
    }
    return modulesByName.get(file);
  };
  class HostRes {}
  const root = instantiate(getCoreModule, { 'host-res': { default: HostRes } });
  const api = root['test:jco/api'];
  const checks = [
    ['pass-r0(7)', api.passR0(7), 7],
    ['round-trip-s(9)', api.roundTripS(9), 9],
    ['pass-host(new HostRes)', api.passHost(new HostRes()), 0],
  ];
  for (const [what, got, want] of checks) {
    if (got !== want) throw new Error(`${name}.js: ${what} returned ${got}, expected ${want}`);
  }
  console.error(`transpile.mjs: ${name}.js instantiates; its exports ran`);
}
