// A child for restab's process bridge (docs/protocol.md) that runs every
// operation through the resource runtime jco generated for
// examples/jco/tables.wat. examples/jco/child installs jco, transpiles the
// WAT and starts this file:
//
//   node jco_child.mjs GENERATED.js [--no-state] [--no-decline=reps,types]
//
// --no-state: announce neither state nor summary (results only).
// --no-decline=WHAT: run what the child would decline through jco as it is,
// to show what jco does there (docs/findings/jco-1.35.0.md): `reps` (reps
// outside 1..2^30-1), `types` (a second resource type of one instance; jco
// gives it a table of its own, so the protocol's per-instance state cannot
// be shown: no state either).
//
// Nothing of jco is copied here. The generated module keeps its runtime
// functions inside instantiate(); loadRuntime() below reads the module's
// text, inserts a few lines that hand those functions out (the shim), and
// imports the result. examples/jco/README.md maps each protocol operation
// to the jco function that runs it, and lists what the child declines.
import { readFileSync } from 'node:fs';

const PROBE = 'restab.jco.probe';
const U32 = 0xffffffff;
// A runtime serves this many inputs, then a fresh one is made (README,
// "Resets"): each input gets a component instance index of its own, so no
// input sees another's tasks, and the runtime's code stays warm in V8.
const INPUTS_PER_RUNTIME = 1000;
// The most slots a state block lists (16 MB or so).
const STATE_SLOTS_MAX = 1 << 20;
// The most slots it lists of a table that a handle past its end stretched
// (findings 3 and 4; the step that stretched it already answered otherwise
// than the spec). Listing such a table again after every later step would
// cost seconds per input.
const STRETCHED_SLOTS_MAX = 4096;
// HANDLE_TABLES indexes of the child's own tables: lifted owns, lifted
// borrows and the source of lowered borrows land there (README, "Mapping").
const OWN_SINK = 0;
const BORROW_SINK = 1;
const BORROW_SOURCE = 2;
const FIRST_TYPE_TABLE = 3;

class ProtocolError extends Error {}

// The shim: inserted into instantiate() just before it starts compiling the
// component's core modules, where every runtime function has been defined.
// With the probe import it returns those functions (and a table factory
// made of the generated lines that create handleTableN) instead of
// instantiating. The AsyncTask accessor reads the call scope's private
// borrow count and lenders for `state`; it changes nothing.
const RUNTIME_NAMES = [
  'T_FLAG', 'HANDLE_TABLES', 'rscTableCreateOwn', 'rscTableCreateBorrow',
  'rscTableGet', 'rscTableRemove', 'resourceTransferOwn',
  'resourceTransferBorrow', 'createNewCurrentTask',
  '_withGlobalCurrentTaskMeta',
];

function loadRuntime(path) {
  let text = readFileSync(path, 'utf8');
  const fail = (what) => {
    throw new Error(`${path}: ${what}; the generated code is not the shape this child knows (jco-transpile 0.15.0)`);
  };
  const start = text.indexOf('\n  const module0 = getCoreModule(');
  if (start < 0) fail('no `const module0 = getCoreModule(`');
  for (const name of RUNTIME_NAMES) {
    const at = text.search(new RegExp(`\\n +(?:const|let|function) ${name}\\b`));
    if (at < 0 || at > start) fail(`no ${name} before the core modules`);
  }
  // jco's own lines that create a handle table, e.g.
  //   const handleTable1 = [T_FLAG, 0];
  //   handleTable1._createdReps = new Set();
  //   handleTable1._componentIdx = 1;
  const init = /\n( *)const (handleTable\d+) = \[T_FLAG, 0\];\n((?:\1\2\.[^\n]*\n)+)/.exec(text);
  if (init === null) fail('no handle table initialisation');
  const [, , table, fields] = init;
  if (!/\._componentIdx = \d+;/.test(fields)) fail('no _componentIdx in the table initialisation');
  const factory = `const ${table} = [T_FLAG, 0];\n` +
    fields.replace(/(\._componentIdx = )\d+;/, '$1__restabComponentIdx;') + `return ${table};`;
  const accessor = 'resourceScopeId() { return this.#resourceScopeId; }';
  const at = text.indexOf(accessor);
  if (at < 0 || text.indexOf(accessor, at + 1) >= 0) fail('not one AsyncTask#resourceScopeId()');
  text = text.slice(0, at + accessor.length) +
    '\n      __restabResourceScope() { return [this.#resourceBorrowCount, this.#resourceLenders]; }' +
    text.slice(at + accessor.length);
  const shim = `
  // restab shim (examples/jco/jco_child.mjs): hand out the runtime
  if (imports && imports[Symbol.for('${PROBE}')]) {
    function __restabNewTable(__restabComponentIdx) {
${factory}
    }
    return { ${RUNTIME_NAMES.join(', ')}, newTable: __restabNewTable };
  }`;
  const insert = text.indexOf('\n  const module0 = getCoreModule(');
  text = text.slice(0, insert) + shim + text.slice(insert);
  return text;
}

// A fresh runtime: instantiate() runs jco's top-level runtime code again
// (new tables registry, task counters, async state) and returns it.
function freshRuntime(instantiate) {
  return instantiate(() => {
    throw new Error('the probe never compiles core modules');
  }, { [Symbol.for(PROBE)]: true });
}

function number(word) {
  const n = word === undefined ? 0 : word.length;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = word.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      v = -1;
      break;
    }
    v = v * 10 + d;
  }
  if (n === 0 || n > 10 || v < 0 || v > U32) throw new ProtocolError(`'${word}' is not a uint32`);
  return v;
}

// A failure that is jco's own, not a trap the contract has a kind for:
// reported on stderr, and the child exits (the harness reports it as the
// implementation's failure at this step).
class JcoFailure extends Error {}

function trapKind(err) {
  if (err instanceof WebAssembly.RuntimeError) {
    const m = err.message;
    if (m.startsWith('unknown handle index')) return 'unknown-handle';
    if (m === 'cannot remove owned resource while borrowed') return 'borrowed';
    if (m === 'borrow handles still remain at the end of the call') return 'borrows-remain';
  }
  const frame = /\n\s+at (?:new )?([\w$.#]+)/.exec(err.stack || '');
  throw new JcoFailure(`jco threw ${err.name}: ${err.message} (in ${frame ? frame[1] : 'unknown'})`);
}

// A decline: not an Error, so that throwing one captures no stack.
class Declined {
  constructor(reason) {
    this.message = reason;
  }
}

// One table set: a component instance index of a jco runtime, the protocol
// configuration, the handle table of each type used so far, and the stack
// of jco tasks that are the call scopes. Every table and task of the set
// belongs to that one component instance: jco picks the task that counts a
// lowered borrow, and the one that records a lend, by the destination
// table's component (resourceTransferBorrow), and the protocol's call
// scopes are one stack across all tables.
class TableSet {
  constructor(rt, component, instances, typeInstance, limit, maxLends, run) {
    this.rt = rt;
    this.run = run; // the declines turned off: {reps, types}
    this.component = component;
    this.instances = instances;
    this.typeInstance = typeInstance;
    this.limit = limit;
    this.maxLends = maxLends;
    this.typeTables = new Map(); // type -> jco table
    this.instanceType = new Map(); // instance -> the one type used in it
    this.tableInstance = new Map(); // jco table -> instance (lender lines)
    this.tasks = [];
    this.declined = null; // the reason, once an operation was declined
    this.declinedReply = null;
    this.version = 0; // operations run so far: the state caches' key
    this.stateCache = null;
    this.summaryCache = null;
    const H = rt.HANDLE_TABLES;
    H.length = 0; // the previous input's tables
    H[OWN_SINK] = rt.newTable(component);
    H[BORROW_SINK] = rt.newTable(component);
    H[BORROW_SOURCE] = rt.newTable(component);
  }

  // The jco table of type k, created on first use. jco keeps one table per
  // resource type; the protocol's tables are per instance. Inputs that use
  // a second type of an instance are declined (README, "Declines").
  table(k) {
    let t = this.typeTables.get(k);
    if (t !== undefined) return t;
    const inst = this.typeInstance[k];
    const other = this.instanceType.get(inst);
    if (other !== undefined && !this.run.types) throw new Declined('one handle table per resource type');
    if (other === undefined) this.instanceType.set(inst, k);
    t = this.rt.newTable(this.component);
    this.rt.HANDLE_TABLES[FIRST_TYPE_TABLE + k] = t;
    this.typeTables.set(k, t);
    this.tableInstance.set(t, inst);
    return t;
  }

  // Runs fn as the generated export wrappers run lowering code and the
  // trampolines a guest calls: inside the current task (the top scope).
  inTask(fn) {
    const n = this.tasks.length;
    if (n === 0) return fn();
    const task = this.tasks[n - 1];
    return this.rt._withGlobalCurrentTaskMeta({ taskID: task.id(), componentIdx: this.component, fn });
  }

  // Declines a rep jco's tables cannot hold, and a new entry that the
  // protocol's limit forbids (jco has none). `entry` is false when jco
  // makes no entry (a borrow of a rep the table created).
  checkRoom(t, rep, entry = true) {
    if ((rep === 0 || rep >= this.rt.T_FLAG) && !this.run.reps) throw new Declined('rep outside 1..2^30-1');
    const free = t[0] & ~this.rt.T_FLAG;
    if (entry && free === 0 && (t.length >> 1) >= this.limit) throw new Declined('no handle limit');
  }

  newOwn(k, rep) {
    const t = this.table(k);
    this.checkRoom(t, rep);
    // resource.new: the trampoline is rscTableCreateOwn.bind(null, table);
    // lowering an own (resourceTransferOwn's second half) is the same call
    return this.inTask(() => `ok ${this.rt.rscTableCreateOwn(t, rep | 0) >>> 0}\n`);
  }

  lowerBorrow(k, rep) {
    const t = this.table(k);
    if (this.tasks.length === 0) throw new Declined('no call scope');
    this.checkRoom(t, rep, !t._createdReps.has(rep | 0));
    const rt = this.rt;
    const source = rt.HANDLE_TABLES[BORROW_SOURCE];
    return this.inTask(() => {
      // the caller's side: a borrow of rep (not an own, so nothing is lent)
      const h = rt.rscTableCreateBorrow(source, rep | 0, 0);
      const got = rt.resourceTransferBorrow(h, BORROW_SOURCE, FIRST_TYPE_TABLE + k);
      rt.rscTableRemove(source, h);
      return `ok ${got >>> 0}\n`;
    });
  }

  rep(k, h) {
    const t = this.table(k);
    // resource.rep: rscTableGet(table, handle).rep
    return this.inTask(() => `ok ${this.rt.rscTableGet(t, h | 0).rep >>> 0}\n`);
  }

  drop(k, h) {
    const t = this.table(k);
    // resource.drop: rscTableRemove(table, handle), then the destructor of
    // an own (which the protocol does not run)
    return this.inTask(() => {
      const entry = this.rt.rscTableRemove(t, h | 0);
      return entry.own ? `ok ${entry.rep >>> 0}\n` : 'ok none\n';
    });
  }

  liftOwn(k, h) {
    this.table(k);
    const rt = this.rt;
    return this.inTask(() => {
      // the whole transfer; the own lands in the sink, whose entry says
      // which rep was carried
      const to = rt.resourceTransferOwn(h | 0, FIRST_TYPE_TABLE + k, OWN_SINK);
      return `ok ${rt.rscTableRemove(rt.HANDLE_TABLES[OWN_SINK], to).rep >>> 0}\n`;
    });
  }

  liftBorrow(k, h) {
    const t = this.table(k);
    if (this.tasks.length === 0) throw new Declined('no call scope');
    const rt = this.rt;
    if (this.maxLends !== U32) {
      // jco's lend counts have no bound; decline where the protocol's is hit
      let e = null;
      try {
        e = rt.rscTableGet(t, h | 0);
      } catch (err) {
        trapKind(err);
      }
      if (e !== null && e.own && e.scope >= this.maxLends) throw new Declined('no lend bound');
    }
    return this.inTask(() => {
      // the whole transfer into the borrow sink; the borrow made there
      // carries the rep, and is dropped again
      const to = rt.resourceTransferBorrow(h | 0, FIRST_TYPE_TABLE + k, BORROW_SINK);
      return `ok ${rt.rscTableRemove(rt.HANDLE_TABLES[BORROW_SINK], to).rep >>> 0}\n`;
    });
  }

  enter() {
    // what a generated export wrapper does before it lowers its arguments
    const [task] = this.rt.createNewCurrentTask({
      componentIdx: this.component,
      isAsync: false,
      isManualAsync: false,
      preserveFutureResult: false,
      entryFnName: 'restab',
      getCallbackFn: () => null,
      callbackFnName: null,
      errHandling: 'none',
      callingWasmExport: true,
    });
    task.setCalleeIsAsync(false);
    task.enterSync();
    this.tasks.push(task);
    return 'ok\n';
  }

  exit() {
    if (this.tasks.length === 0) throw new Declined('no call scope');
    const task = this.tasks[this.tasks.length - 1];
    // what the wrapper does when the callee returns
    this.inTask(() => {
      task.resolve([]);
      task.exit();
    });
    this.tasks.pop();
    return 'ok\n';
  }

  // The observable state, read from jco's tables and tasks.
  scopeDepth(scopeId) {
    for (let d = 0; d < this.tasks.length; d++) {
      if (this.tasks[d].resourceScopeId() === scopeId) return d;
    }
    return this.tasks.length; // no live scope: an impossible depth
  }

  tableLines(inst, slots) {
    const k = this.instanceType.get(inst);
    const t = k === undefined ? undefined : this.typeTables.get(k);
    if (t === undefined) return `table ${inst} size 0 next 1\n`;
    const F = this.rt.T_FLAG;
    const size = (t.length >> 1) - 1;
    const free = t[0] & ~F;
    let out = `table ${inst} size ${size} next ${free !== 0 ? free >>> 0 : size + 1}\n`;
    if (!slots) return out;
    for (let h = 1; h <= size; h++) {
      const scope = t[h << 1];
      const val = t[(h << 1) + 1];
      const rep = val & ~F;
      // rscTableGet's test for an entry
      if (rep === 0 || (scope & F) !== 0) {
        out += `slot ${h} free\n`;
      } else if ((val & F) !== 0) {
        out += `slot ${h} own t${k} rep ${rep >>> 0} lends ${scope >>> 0}\n`;
      } else {
        out += `slot ${h} borrow t${k} rep ${rep >>> 0} scope ${this.scopeDepth(scope)} lends 0\n`;
      }
    }
    return out;
  }

  scopeLines(all) {
    const n = this.tasks.length;
    let out = `scopes ${n}\n`;
    for (let d = all ? 0 : n - 1; d >= 0 && d < n; d++) {
      const [borrows, lenders] = this.tasks[d].__restabResourceScope();
      out += `scope ${d} borrows ${borrows} lenders ${lenders.length}\n`;
      const from = all ? 0 : Math.max(0, lenders.length - 1);
      for (let i = from; i < lenders.length; i++) {
        const { table, handle } = lenders[i];
        const inst = this.tableInstance.get(table);
        out += `lender ${inst === undefined ? this.instances + 1 : inst} ${handle >>> 0}\n`;
      }
    }
    return out;
  }

  // The state block (slots) or the summary, as bytes. Cached until the next
  // operation: the harness may ask again with nothing run in between (after
  // a decline, every operation of the input is answered without running).
  state(slots) {
    const cache = slots ? this.stateCache : this.summaryCache;
    if (cache !== null && cache.version === this.version) return cache.bytes;
    if (slots) {
      // A handle far past the end (findings 3 and 4) stretches a jco table
      // to as many slots as the handle's number: no block can list them.
      for (const [k, t] of this.typeTables) {
        const size = (t.length >> 1) - 1;
        // Holes: elements never written, below the end a stretch moved.
        const stretched = size > STRETCHED_SLOTS_MAX && Object.keys(t).length < t.length;
        if (size > STATE_SLOTS_MAX || stretched) {
          throw new ProtocolError(`jco's table of t${k} has ${size} slots, too many to list (handles far past the end stretch it)`);
        }
      }
    }
    let out = `tables ${this.instances + 1}\n`;
    for (let i = 0; i < this.instances; i++) out += this.tableLines(i, slots);
    out += `table ${this.instances} size 0 next 1\n`; // no host table
    out += this.scopeLines(slots);
    out += 'end\n';
    const entry = { version: this.version, bytes: Buffer.from(out, 'latin1') };
    if (slots) this.stateCache = entry;
    else this.summaryCache = entry;
    return entry.bytes;
  }
}

// reset instances N types K... limit L max_lends M [semantics S]
function parseReset(words) {
  const bad = () => new ProtocolError('reset needs instances N types K... limit L max_lends M semantics S');
  if (words[1] !== 'instances' || words[3] !== 'types') throw bad();
  const instances = number(words[2]);
  let i = 4;
  while (i < words.length && words[i] !== 'limit') i++;
  const typeInstance = new Array(i - 4);
  for (let k = 4; k < i; k++) typeInstance[k - 4] = number(words[k]);
  if (words[i + 2] !== 'max_lends') throw bad();
  const limit = number(words[i + 1]);
  const maxLends = number(words[i + 3]);
  let semantics;
  if (words.length === i + 6 && words[i + 4] === 'semantics') semantics = words[i + 5];
  else if (words.length !== i + 4) throw bad();
  return { instances, typeInstance, limit, maxLends, semantics };
}

async function main() {
  const args = process.argv.slice(2);
  const path = args.find((a) => !a.startsWith('--'));
  if (path === undefined) {
    process.stderr.write('usage: node jco_child.mjs GENERATED.js [--no-state]\n');
    process.exit(2);
  }
  const run = { reps: false, types: false };
  for (const a of args) {
    if (!a.startsWith('--no-decline=')) continue;
    for (const what of a.slice('--no-decline='.length).split(',')) {
      if (!(what in run)) {
        process.stderr.write(`jco child: --no-decline takes reps and types, not '${what}'\n`);
        process.exit(2);
      }
      run[what] = true;
    }
  }
  const withState = !args.includes('--no-state') && !run.types;
  const source = loadRuntime(path);
  const { instantiate } = await import('data:text/javascript;base64,' + Buffer.from(source).toString('base64'));
  const hello = 'ok restab-protocol 1 profile=spec' + (withState ? ' state summary' : '') + '\n';

  let set = null;
  let rt = null; // the jco runtime, and how many inputs it has served
  let inputs = 0;
  const ops = new Map([
    ['new', (s, k, v) => s.newOwn(k, v)],
    ['lower_own', (s, k, v) => s.newOwn(k, v)],
    ['lower_borrow', (s, k, v) => s.lowerBorrow(k, v)],
    ['rep', (s, k, v) => s.rep(k, v)],
    ['drop', (s, k, v) => s.drop(k, v)],
    ['lift_own', (s, k, v) => s.liftOwn(k, v)],
    ['lift_borrow', (s, k, v) => s.liftBorrow(k, v)],
  ]);

  function request(line) {
    let words = line.split(' ');
    if (words.includes('')) words = words.filter(Boolean); // more than one space
    if (words.length === 0) throw new ProtocolError('empty request');
    const w = words[0];
    const op = ops.get(w);
    if (op !== undefined || w === 'enter' || w === 'exit') {
      if (set === null) throw new ProtocolError('no table set (send reset first)');
      let run;
      if (op !== undefined) {
        if (words.length !== 3) throw new ProtocolError(`'${w}' takes a resource and a number`);
        const r = words[1];
        const v = number(words[2]);
        if (r === 'host') {
          run = () => {
            throw new Declined('no host table');
          };
        } else {
          const k = /^t[0-9]{1,10}$/.test(r) ? Number(r.slice(1)) : -1;
          if (!(k >= 0 && k < set.typeInstance.length)) throw new ProtocolError(`unknown resource '${r}'`);
          run = () => op(set, k, v);
        }
      } else {
        if (words.length !== 1) throw new ProtocolError(`'${w}' takes no operands`);
        run = w === 'enter' ? () => set.enter() : () => set.exit();
      }
      // After a decline the harness reads the replies it still owes and
      // ignores them: the rest of the input is not run.
      if (set.declined !== null) return `declined ${set.declined}\n`;
      try {
        set.version++;
        return run();
      } catch (err) {
        if (err instanceof Declined) {
          set.declined = err.message;
          set.declinedReply = `declined ${err.message}\n`;
          return set.declinedReply;
        }
        if (err instanceof JcoFailure) throw err;
        return `error ${trapKind(err)}\n`;
      }
    }
    if (w === 'state' && withState && set !== null && words.length === 1) return set.state(true);
    if (w === 'summary' && withState && set !== null && words.length === 1) return set.state(false);
    if (w === 'reset') {
      const c = parseReset(words);
      set = null;
      if (c.semantics === undefined) return 'error invalid-argument\n'; // wasmtime35 only
      if (c.semantics !== 'spec') return `declined no ${c.semantics} profile\n`;
      if (c.typeInstance.some((i) => i >= c.instances)) return 'error invalid-argument\n';
      if (rt === null || ++inputs > INPUTS_PER_RUNTIME) {
        rt = freshRuntime(instantiate);
        inputs = 1;
      }
      set = new TableSet(rt, inputs, c.instances, c.typeInstance, c.limit, c.maxLends, run);
      return 'ok\n';
    }
    if (w === 'restab-protocol' && words.length === 2 && words[1] === '1') return hello;
    throw new ProtocolError(`unknown request '${line.slice(0, 60)}'`);
  }

  // Ends the child once everything written has reached the pipe: no
  // process.exit(), which can cut a large reply short on a pipe.
  let done = false;
  const finish = (code, message) => {
    done = true;
    if (message !== undefined) process.stderr.write(message);
    process.exitCode = code;
    process.stdin.destroy();
  };
  const chunks = [];
  // Replies: text collected in `out`, blocks as the bytes they are cached
  // as (after a decline the same block is asked for again and again).
  let out = '';
  const parts = [];
  let bytes = 0;
  const emit = (reply) => {
    if (typeof reply === 'string') {
      out += reply;
      if (out.length < 16384) return;
      reply = Buffer.from(out, 'latin1');
      out = '';
    } else if (out.length > 0) {
      const text = Buffer.from(out, 'latin1');
      parts.push(text);
      bytes += text.length;
      out = '';
    }
    parts.push(reply);
    bytes += reply.length;
    if (bytes >= 65536) flush(); // let the harness read on
  };
  const flush = () => {
    if (out.length > 0) {
      parts.push(Buffer.from(out, 'latin1'));
      out = '';
    }
    if (parts.length === 1) process.stdout.write(parts[0]);
    else if (parts.length > 1) process.stdout.write(Buffer.concat(parts));
    parts.length = 0;
    bytes = 0;
  };
  // The harness closed its end (it has what it wanted): stop quietly.
  process.stdout.on('error', () => finish(0));
  process.stdin.on('data', (chunk) => {
    if (done) return;
    let text = chunk.toString('latin1');
    let nl = text.lastIndexOf('\n');
    if (nl < 0) {
      chunks.push(text);
      return;
    }
    if (chunks.length > 0) {
      chunks.push(text);
      text = chunks.join('');
      chunks.length = 0;
      nl = text.lastIndexOf('\n');
    }
    if (nl + 1 < text.length) chunks.push(text.slice(nl + 1));
    for (let at = 0; at <= nl;) {
      const end = text.indexOf('\n', at);
      let line = text.slice(at, end);
      at = end + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      // After a decline most lines are the input's remaining operations:
      // answered from their first letters (r-e-p, not r-e-s: reset,
      // restab-protocol; s: state, summary; q: quit).
      if (set !== null && set.declined !== null) {
        const c = line.charCodeAt(0);
        if ((c !== 114 || line.charCodeAt(2) === 112) && c !== 115 && c !== 113) {
          emit(set.declinedReply);
          continue;
        }
      }
      if (line === 'quit') {
        flush();
        finish(0);
        return;
      }
      try {
        // the replies before a state block go out first: a large block
        // takes a while to build
        if (line === 'state') flush();
        emit(request(line));
      } catch (err) {
        if (!(err instanceof ProtocolError)) {
          flush();
          finish(70, `jco child: ${err instanceof JcoFailure ? err.message : err.stack}\n`);
          return;
        }
        emit(`error protocol ${err.message}\n`);
      }
    }
    flush();
  });
  process.stdin.on('end', () => {
    flush();
    finish(0);
  });
}

main().catch((err) => {
  process.stderr.write(`jco child: ${err.message}\n`);
  process.exit(1);
});
