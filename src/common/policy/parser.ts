/**
 * Parser for the oslo.policy rule language (oslo_policy/_parser.py): tokens split on
 * whitespace with parentheses peeled off their ends, precedence `not` > `and` > `or`,
 * grouping with parentheses. Like oslo, a rule that cannot be parsed fails closed: it becomes
 * `!` and the problem is reported through `warn`. Written by hand: no npm library parses this
 * language. oslo reduces tokens with a greedy shift-reduce loop; this is a recursive-descent
 * parser for the same grammar, and renders the same `toString()` trees.
 */
import {
  AndCheck,
  FalseCheck,
  GenericCheck,
  NotCheck,
  OrCheck,
  RoleCheck,
  RuleCheck,
  TrueCheck,
  type Check,
} from './checks.js';

/** Builds the check for a custom `kind:` (oslo's `register(kind, CheckClass)`). */
export type CheckFactory = (kind: string, match: string) => Check;

export interface ParseOptions {
  /** Receives one message per problem (a malformed rule or an unsupported check). */
  warn?: (message: string) => void;
  /** Extra check kinds, consulted before the built-in `rule`/`role` and the generic check. */
  checks?: ReadonlyMap<string, CheckFactory>;
}

type Token =
  | { type: '(' | ')' | 'and' | 'or' | 'not' }
  | { type: 'string'; text: string }
  | { type: 'check'; check: Check };

/**
 * Parses a rule written in the policy language into a check tree. `""` allows everything;
 * a malformed rule denies everything (and is reported through `opts.warn`).
 */
export function parseRule(checkStr: string, opts: ParseOptions = {}): Check {
  if (checkStr === '') return new TrueCheck();
  const tokens = tokenize(checkStr, opts);
  const parsed = new TokenParser(tokens).parse();
  if (parsed) return parsed;
  opts.warn?.(`Failed to understand rule ${checkStr}`);
  return new FalseCheck();
}

/**
 * The legacy list-of-lists form (`[["role:a", "role:b"], ["role:c"]]`: inner lists are
 * and-ed, the outer list or-ed; a bare string counts as a one-element list). oslo still
 * accepts it in policy files; the empty list allows everything.
 */
export function parseListRule(rule: readonly unknown[], opts: ParseOptions = {}): Check {
  if (rule.length === 0) return new TrueCheck();
  const alternatives: Check[] = [];
  for (const inner of rule) {
    const items = typeof inner === 'string' ? [inner] : Array.isArray(inner) ? inner : undefined;
    if (items === undefined) {
      opts.warn?.(`Failed to understand rule ${JSON.stringify(rule)}`);
      return new FalseCheck();
    }
    if (items.length === 0) continue;
    const conj = items.map((item) => (typeof item === 'string' ? parseAtom(item, opts) : badAtom(item, opts)));
    alternatives.push(conj.length === 1 ? (conj[0] as Check) : new AndCheck(conj));
  }
  if (alternatives.length === 0) return new FalseCheck();
  return alternatives.length === 1 ? (alternatives[0] as Check) : new OrCheck(alternatives);
}

function badAtom(item: unknown, opts: ParseOptions): Check {
  opts.warn?.(`Failed to understand rule ${JSON.stringify(item)}`);
  return new FalseCheck();
}

/** One `kind:match` token (or `@` / `!`). A token without `:` fails closed, as in oslo. */
function parseAtom(text: string, opts: ParseOptions): Check {
  if (text === '!') return new FalseCheck();
  if (text === '@') return new TrueCheck();
  const colon = text.indexOf(':');
  if (colon < 0) {
    opts.warn?.(`Failed to understand rule ${text}`);
    return new FalseCheck();
  }
  const kind = text.slice(0, colon);
  const match = text.slice(colon + 1);
  const custom = opts.checks?.get(kind);
  if (custom) return custom(kind, match);
  if (kind === 'rule') return new RuleCheck(kind, match);
  if (kind === 'role') return new RoleCheck(kind, match);
  if (kind === 'http' || kind === 'https') {
    // oslo's external HTTP checks POST the target and credentials to a remote server.
    opts.warn?.(`Remote ${kind}: checks are not supported; ${text} always denies`);
    return new FalseCheck();
  }
  return new GenericCheck(kind, match);
}

/** oslo's _parse_tokenize. */
function tokenize(rule: string, opts: ParseOptions): Token[] {
  const tokens: Token[] = [];
  for (const raw of rule.split(/\s+/)) {
    if (raw === '') continue;
    const afterLead = raw.replace(/^\(+/, '');
    for (let i = 0; i < raw.length - afterLead.length; i++) tokens.push({ type: '(' });
    if (afterLead === '') continue;
    const clean = afterLead.replace(/\)+$/, '');
    const trail = afterLead.length - clean.length;
    const lowered = clean.toLowerCase();
    if (lowered === 'and' || lowered === 'or' || lowered === 'not') {
      tokens.push({ type: lowered });
    } else if (clean !== '') {
      // oslo looks at the token before its trailing parentheses are removed here.
      const first = afterLead[0];
      if (afterLead.length >= 2 && (first === '"' || first === "'") && afterLead.endsWith(first)) {
        tokens.push({ type: 'string', text: afterLead.slice(1, -1) });
      } else {
        tokens.push({ type: 'check', check: parseAtom(clean, opts) });
      }
    }
    for (let i = 0; i < trail; i++) tokens.push({ type: ')' });
  }
  return tokens;
}

/**
 * expr    := andExpr ('or' andExpr)*
 * andExpr := unary ('and' unary)*
 * unary   := 'not' unary | check | '(' expr ')'
 * Returns undefined when the tokens do not form exactly one expression.
 */
class TokenParser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Check | undefined {
    const result = this.orExpr();
    return result && this.pos === this.tokens.length ? result : undefined;
  }

  private peek(): Token['type'] | undefined {
    return this.tokens[this.pos]?.type;
  }

  private orExpr(): Check | undefined {
    const first = this.andExpr(false);
    if (!first) return undefined;
    if (this.peek() !== 'or') return first;
    const alternatives = [first];
    while (this.peek() === 'or') {
      this.pos++;
      const next = this.andExpr(true);
      if (!next) return undefined;
      alternatives.push(next);
    }
    return new OrCheck(alternatives);
  }

  /**
   * `afterOr`: oslo's reducer, on `A or (B and C) and D`, extends the parenthesised and-group
   * with D instead of nesting it; mirrored so that toString() matches oslo's.
   */
  private andExpr(afterOr: boolean): Check | undefined {
    const first = this.unary();
    if (!first) return undefined;
    if (this.peek() !== 'and') return first;
    const operands = afterOr && first instanceof AndCheck ? [...first.rules] : [first];
    while (this.peek() === 'and') {
      this.pos++;
      const next = this.unary();
      if (!next) return undefined;
      operands.push(next);
    }
    return new AndCheck(operands);
  }

  private unary(): Check | undefined {
    const tok = this.tokens[this.pos];
    if (!tok) return undefined;
    if (tok.type === 'not') {
      this.pos++;
      const operand = this.unary();
      return operand ? new NotCheck(operand) : undefined;
    }
    if (tok.type === 'check') {
      this.pos++;
      return tok.check;
    }
    if (tok.type === '(') {
      this.pos++;
      const inner = this.orExpr();
      if (!inner || this.peek() !== ')') return undefined;
      this.pos++;
      return inner;
    }
    return undefined;
  }
}
