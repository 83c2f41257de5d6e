/**
 * node:test's describe/test/hooks, with one difference that keeps the test counts honest: a
 * suite skipped for a reason (no backend URL) still lists every one of its tests, each reported
 * as skipped, instead of vanishing as one skipped suite (node 20 does not run a skipped suite's
 * body, so its tests are never counted). The hooks of a skipped suite do not run. Suite bodies
 * run synchronously when registered, which is what lets the skip reason reach the tests inside.
 */
import * as nt from 'node:test';

type Fn = (...args: any[]) => unknown;
type Options = nt.TestOptions;

let skipReason: string | undefined;

function split(a: Options | Fn | undefined, b: Fn | undefined): [Options, Fn | undefined] {
  return typeof a === 'function' ? [{}, a] : [a ?? {}, b];
}

function reasonOf(skip: unknown): string | undefined {
  if (typeof skip === 'string' && skip !== '') return skip;
  return skip ? 'skipped' : undefined;
}

export function describe(name: string, a?: Options | Fn, b?: Fn): Promise<void> {
  const [opts, fn] = split(a, b);
  const reason = reasonOf(opts.skip) ?? skipReason;
  if (!reason || !fn) return nt.describe(name, opts, fn as never);
  const { skip: _skip, ...rest } = opts;
  return nt.describe(name, rest, () => {
    const outer = skipReason;
    skipReason = reason;
    try {
      fn();
    } finally {
      skipReason = outer;
    }
  });
}

export function test(name: string, a?: Options | Fn, b?: Fn): Promise<void> {
  const [opts, fn] = split(a, b);
  if (skipReason) return nt.test(name, { skip: skipReason }, () => {});
  return nt.test(name, opts, fn as never);
}

export const it = test;

type Hook = typeof nt.before;
const hook = (register: Hook): Hook => ((fn: never, opts: never) => {
  if (!skipReason) register(fn, opts);
}) as Hook;

export const before = hook(nt.before);
export const after = hook(nt.after);
export const beforeEach = hook(nt.beforeEach);
export const afterEach = hook(nt.afterEach);
