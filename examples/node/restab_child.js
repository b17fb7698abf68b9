#!/usr/bin/env node
// A child for restab's process bridge (docs/protocol.md), in JavaScript for
// Node.js with no dependencies. It implements the resource tables of
// SEMANTICS.md (the wasmtime35 profile) from the contract alone:
//
//   RESTAB_IMPL_CMD='node examples/node/restab_child.js' \
//       build/dev/fuzz/process-replay --quiet corpus/restab_ops
//
// --no-state, --no-check (or RESTAB_CHILD_CAPS="state check summary
// profile=wasmtime35", the
// default, | "check" | "" ...): do not announce the capability, for
// results-only mode (--no-state drops summary too).
// Planted bugs for the harness's negative tests (RESTAB_CHILD_BUG, comma
// separated):
//   borrow-count   drop of a borrow lowers the top scope's borrow count, not
//                  the count of the scope that lowered it
//   lend-limit     lift_borrow allows one lend more than max_lends
//   reuse-order    a new entry takes the oldest free slot, not the newest
'use strict';

const U32 = 0xffffffff;
const HOST = -1;
const OWN = 0;
const BORROW = 1;

class ProtocolError extends Error {}

function number(word) {
  if (word === undefined || !/^[0-9]{1,10}$/.test(word)) {
    throw new ProtocolError(`'${word}' is not a uint32`);
  }
  const v = Number(word);
  if (v > U32) throw new ProtocolError(`'${word}' is not a uint32`);
  return v;
}

// Entries: {kind, res, rep, lends, scope}; a free slot is null.
class Tables {
  constructor(instances, typeInstance, limit, maxLends, bugs) {
    this.instances = instances;
    this.typeInstance = typeInstance;
    this.limit = limit;
    this.maxLends = maxLends;
    this.slots = [];
    this.free = [];
    for (let t = 0; t <= instances; t++) {
      this.slots.push([]);
      this.free.push([]);
    }
    this.scopes = []; // {borrows, lenders: [[table, handle], ...]}
    this.bugBorrowCount = bugs.has('borrow-count');
    this.bugLendLimit = bugs.has('lend-limit');
    this.bugReuseOrder = bugs.has('reuse-order');
    this.resources = new Map([['host', [instances, HOST]]]);
    typeInstance.forEach((inst, k) => this.resources.set('t' + k, [inst, k]));
  }

  insert(table, entry) {
    const free = this.free[table];
    const slots = this.slots[table];
    if (free.length > 0) {
      const h = this.bugReuseOrder ? free.shift() : free.pop();
      slots[h - 1] = entry;
      return h;
    }
    const h = slots.length + 1;
    if (h >= this.limit) return 0;
    slots.push(entry);
    return h;
  }

  lookup(table, h) {
    const slots = this.slots[table];
    if (h === 0 || h > slots.length) return null;
    return slots[h - 1];
  }

  release(table, h) {
    this.slots[table][h - 1] = null;
    this.free[table].push(h);
  }

  new(table, res, rep) {
    const h = this.insert(table, { kind: OWN, res, rep, lends: 0, scope: 0 });
    return h === 0 ? 'error handle-overflow\n' : `ok ${h}\n`;
  }

  lowerBorrow(table, res, rep) {
    if (this.scopes.length === 0) return 'error no-scope\n';
    const top = this.scopes.length - 1;
    const h = this.insert(table, { kind: BORROW, res, rep, lends: 0, scope: top });
    if (h === 0) return 'error handle-overflow\n';
    this.scopes[top].borrows++;
    return `ok ${h}\n`;
  }

  rep(table, res, h) {
    const e = this.lookup(table, h);
    if (e === null) return 'error unknown-handle\n';
    if (e.res !== res) return 'error wrong-type\n';
    return `ok ${e.rep}\n`;
  }

  drop(table, res, h) {
    const e = this.lookup(table, h);
    if (e === null) return 'error unknown-handle\n';
    if (e.kind === OWN) {
      if (e.lends > 0) return 'error borrowed\n';
      if (e.res !== res) return 'error wrong-type\n';
      this.release(table, h);
      return `ok ${e.rep}\n`;
    }
    if (e.res !== res) return 'error wrong-type\n';
    this.release(table, h);
    const scope = this.bugBorrowCount ? this.scopes.length - 1 : e.scope;
    this.scopes[scope].borrows--;
    return 'ok none\n';
  }

  liftOwn(table, res, h) {
    const e = this.lookup(table, h);
    if (e === null) return 'error unknown-handle\n';
    if (e.kind === BORROW) return 'error not-own\n';
    if (e.lends > 0) return 'error borrowed\n';
    if (e.res !== res) return 'error wrong-type\n';
    this.release(table, h);
    return `ok ${e.rep}\n`;
  }

  liftBorrow(table, res, h) {
    const e = this.lookup(table, h);
    if (e === null) return 'error unknown-handle\n';
    if (e.res !== res) return 'error wrong-type\n';
    if (e.kind === BORROW) return `ok ${e.rep}\n`;
    if (e.lends >= this.maxLends + (this.bugLendLimit ? 1 : 0)) return 'error lend-overflow\n';
    if (this.scopes.length === 0) return 'error no-scope\n';
    e.lends++;
    this.scopes[this.scopes.length - 1].lenders.push([table, h]);
    return `ok ${e.rep}\n`;
  }

  enter() {
    this.scopes.push({ borrows: 0, lenders: [] });
    return 'ok\n';
  }

  exit() {
    if (this.scopes.length === 0) return 'error no-scope\n';
    const top = this.scopes[this.scopes.length - 1];
    if (top.borrows > 0) return 'error borrows-remain\n';
    for (const [table, h] of top.lenders) this.slots[table][h - 1].lends--;
    this.scopes.pop();
    return 'ok\n';
  }

  state() {
    const out = [`tables ${this.instances + 1}\n`];
    this.slots.forEach((slots, t) => {
      const free = this.free[t];
      let next = slots.length + 1;
      if (free.length > 0) next = this.bugReuseOrder ? free[0] : free[free.length - 1];
      out.push(`table ${t} size ${slots.length} next ${next}\n`);
      slots.forEach((e, i) => {
        const h = i + 1;
        if (e === null) {
          out.push(`slot ${h} free\n`);
          return;
        }
        const r = e.res === HOST ? 'host' : 't' + e.res;
        if (e.kind === OWN) out.push(`slot ${h} own ${r} rep ${e.rep} lends ${e.lends}\n`);
        else out.push(`slot ${h} borrow ${r} rep ${e.rep} scope ${e.scope} lends 0\n`);
      });
    });
    out.push(`scopes ${this.scopes.length}\n`);
    this.scopes.forEach((s, d) => {
      out.push(`scope ${d} borrows ${s.borrows} lenders ${s.lenders.length}\n`);
      for (const [table, h] of s.lenders) out.push(`lender ${table} ${h}\n`);
    });
    out.push('end\n');
    return out.join('');
  }

  summary() {
    const out = [`tables ${this.instances + 1}\n`];
    this.slots.forEach((slots, t) => {
      const free = this.free[t];
      let next = slots.length + 1;
      if (free.length > 0) next = this.bugReuseOrder ? free[0] : free[free.length - 1];
      out.push(`table ${t} size ${slots.length} next ${next}\n`);
    });
    const k = this.scopes.length;
    out.push(`scopes ${k}\n`);
    if (k > 0) {
      const top = this.scopes[k - 1];
      out.push(`scope ${k - 1} borrows ${top.borrows} lenders ${top.lenders.length}\n`);
      if (top.lenders.length > 0) {
        const [table, h] = top.lenders[top.lenders.length - 1];
        out.push(`lender ${table} ${h}\n`);
      }
    }
    out.push('end\n');
    return out.join('');
  }

  // null, or a sentence naming the first broken invariant.
  check() {
    for (let t = 0; t < this.slots.length; t++) {
      const free = this.free[t];
      if (new Set(free).size !== free.length) return `invariant 1: table ${t} has a slot on its free list twice`;
      const holes = [];
      this.slots[t].forEach((e, i) => { if (e === null) holes.push(i + 1); });
      const set = new Set(free);
      if (holes.length !== free.length || holes.some((h) => !set.has(h))) {
        return `invariant 1: table ${t}'s free list is not its free slots`;
      }
    }
    const records = new Map();
    for (const s of this.scopes) {
      for (const [table, h] of s.lenders) {
        const key = table + ':' + h;
        records.set(key, (records.get(key) || 0) + 1);
      }
    }
    const counts = this.scopes.map(() => 0);
    for (let t = 0; t < this.slots.length; t++) {
      const slots = this.slots[t];
      if (slots.length > 0 && slots.length >= this.limit) return `invariant 6: table ${t} holds handle ${slots.length}, past the limit`;
      for (let i = 0; i < slots.length; i++) {
        const e = slots[i];
        if (e === null) continue;
        const h = i + 1;
        if (e.kind === OWN) {
          const n = records.get(t + ':' + h) || 0;
          if (e.lends !== n) return `invariant 2: table ${t} handle ${h} has lends ${e.lends} but ${n} lender records`;
        } else {
          if (e.scope >= this.scopes.length) return `invariant 4: table ${t} handle ${h} is a borrow of scope ${e.scope}, which is gone`;
          counts[e.scope]++;
        }
        const home = e.res === HOST ? this.instances : this.typeInstance[e.res];
        if (home !== t) return `invariant 6: table ${t} handle ${h} is in the wrong table`;
      }
    }
    for (let d = 0; d < this.scopes.length; d++) {
      if (this.scopes[d].borrows !== counts[d]) {
        return `invariant 3: scope ${d} has borrow count ${this.scopes[d].borrows} but ${counts[d]} borrows`;
      }
    }
    for (const key of records.keys()) {
      const [table, h] = key.split(':').map(Number);
      const e = this.lookup(table, h);
      if (e === null || e.kind !== OWN) return `invariant 5: a lender record names table ${table} handle ${h}, not a live own`;
    }
    return null;
  }
}

// reset instances N types K... limit L max_lends M [semantics S]: `semantics S`
// comes exactly when the child announced profile= words.
function parseReset(words, bugs, profiled) {
  const i = words.indexOf('types');
  const j = words.indexOf('limit');
  if (words[1] !== 'instances' || i !== 3 || j < i || words.length !== j + (profiled ? 6 : 4) ||
      words[j + 2] !== 'max_lends' || (profiled && words[j + 4] !== 'semantics')) {
    throw new ProtocolError('reset needs instances, types, limit, max_lends' + (profiled ? ', semantics' : ''));
  }
  const instances = number(words[2]);
  const typeInstance = words.slice(i + 1, j).map(number);
  const limit = number(words[j + 1]);
  const maxLends = number(words[j + 3]);
  const semantics = profiled ? words[j + 5] : 'wasmtime35';
  if (semantics !== 'wasmtime35' && semantics !== 'spec') throw new ProtocolError('unknown semantics');
  if (semantics !== 'wasmtime35' || typeInstance.some((k) => k >= instances)) return null;
  return new Tables(instances, typeInstance, limit, maxLends, bugs);
}

function main() {
  const capsEnv = process.env.RESTAB_CHILD_CAPS;
  let caps = capsEnv !== undefined ? capsEnv.split(/\s+/).filter(Boolean)
    : ['state', 'check', 'summary', 'profile=wasmtime35'];
  if (process.argv.includes('--no-state')) caps = caps.filter((c) => c !== 'state' && c !== 'summary');
  if (process.argv.includes('--no-check')) caps = caps.filter((c) => c !== 'check');
  const bugs = new Set((process.env.RESTAB_CHILD_BUG || '').split(',').filter(Boolean));
  const hello = 'ok restab-protocol 1' + caps.map((c) => ' ' + c).join('') + '\n';
  const hasState = caps.includes('state');
  const hasCheck = caps.includes('check');
  const hasSummary = hasState && caps.includes('summary');
  const profiled = caps.some((c) => c.startsWith('profile='));
  const opNames = new Set(['new', 'lower_own', 'lower_borrow', 'rep', 'drop', 'lift_own',
    'lift_borrow', 'enter', 'exit', 'state', 'check', 'summary']);
  let tables = null;
  let ops = null;

  function request(line) {
    const words = line.split(' ').filter(Boolean);
    if (words.length === 0) throw new ProtocolError('empty request');
    const w = words[0];
    if (tables !== null) {
      const f = ops.get(w);
      if (f !== undefined) {
        if (words.length !== 3) throw new ProtocolError(`'${w}' takes a resource and a number`);
        const r = tables.resources.get(words[1]);
        if (r === undefined) throw new ProtocolError(`unknown resource '${words[1]}'`);
        return f(r[0], r[1], number(words[2]));
      }
      if (words.length === 1) {
        if (w === 'enter') return tables.enter();
        if (w === 'exit') return tables.exit();
        if (w === 'state' && hasState) return tables.state();
        if (w === 'summary' && hasSummary) return tables.summary();
        if (w === 'check' && hasCheck) {
          const msg = tables.check();
          return msg === null ? 'ok\n' : `error ${msg}\n`;
        }
      }
    }
    if (w === 'reset') {
      tables = parseReset(words, bugs, profiled);
      if (tables === null) return 'error invalid-argument\n';
      const t = tables;
      ops = new Map([
        ['new', t.new.bind(t)], ['lower_own', t.new.bind(t)],
        ['lower_borrow', t.lowerBorrow.bind(t)], ['rep', t.rep.bind(t)],
        ['drop', t.drop.bind(t)], ['lift_own', t.liftOwn.bind(t)],
        ['lift_borrow', t.liftBorrow.bind(t)],
      ]);
      return 'ok\n';
    }
    if (w === 'restab-protocol' && words.length === 2 && words[1] === '1') return hello;
    if (opNames.has(w) && tables === null) throw new ProtocolError('no table set (send reset first)');
    throw new ProtocolError(`unknown request '${line.slice(0, 60)}'`);
  }

  let pending = '';
  process.stdin.on('data', (chunk) => {
    const lines = (pending + chunk.toString('latin1')).split('\n');
    pending = lines.pop();
    const out = [];
    for (let line of lines) {
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === 'quit') {
        process.stdout.write(out.join(''), () => process.exit(0));
        return;
      }
      try {
        out.push(request(line));
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        out.push(`error protocol ${e.message}\n`);
      }
    }
    if (out.length > 0) process.stdout.write(out.join(''));
  });
  process.stdin.on('end', () => process.exit(0));
}

main();
