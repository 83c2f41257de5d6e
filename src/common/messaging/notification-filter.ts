/**
 * NotificationFilter (oslo_messaging/notify/filter.py): an endpoint receives only the
 * notifications whose publisher_id, event_type, and chosen context/metadata/payload keys match
 * its regular expressions. Strings are matched from the start, as Python's re.match does
 * (`'^compute\\.instance\\.'`); a RegExp is used as given. A key that is missing, or whose value
 * is not a string, does not match.
 */

type Pattern = string | RegExp;

export interface NotificationFilterRule {
  publisherId?: Pattern;
  eventType?: Pattern;
  context?: Record<string, Pattern>;
  metadata?: Record<string, Pattern>;
  payload?: Record<string, Pattern>;
}

function compile(p: Pattern): RegExp {
  return typeof p === 'string' ? new RegExp(`^(?:${p})`) : p;
}

function compileMap(m: Record<string, Pattern> | undefined): Map<string, RegExp> {
  return new Map(Object.entries(m ?? {}).map(([k, p]) => [k, compile(p)]));
}

function mismatch(data: unknown, re: RegExp | undefined): boolean {
  if (!re) return false;
  if (typeof data !== 'string') return true;
  re.lastIndex = 0;
  return !re.test(data);
}

function mapMismatch(data: unknown, res: Map<string, RegExp>): boolean {
  if (res.size === 0) return false;
  if (typeof data !== 'object' || data === null) return true;
  const obj = data as Record<string, unknown>;
  for (const [key, re] of res) {
    if (!(key in obj) || mismatch(obj[key], re)) return true;
  }
  return false;
}

export class NotificationFilter {
  private readonly publisherId: RegExp | undefined;
  private readonly eventType: RegExp | undefined;
  private readonly context: Map<string, RegExp>;
  private readonly metadata: Map<string, RegExp>;
  private readonly payload: Map<string, RegExp>;

  constructor(rule: NotificationFilterRule) {
    this.publisherId = rule.publisherId === undefined ? undefined : compile(rule.publisherId);
    this.eventType = rule.eventType === undefined ? undefined : compile(rule.eventType);
    this.context = compileMap(rule.context);
    this.metadata = compileMap(rule.metadata);
    this.payload = compileMap(rule.payload);
  }

  match(context: unknown, publisherId: unknown, eventType: unknown, metadata: unknown, payload: unknown): boolean {
    return !(
      mismatch(publisherId, this.publisherId) ||
      mismatch(eventType, this.eventType) ||
      mapMismatch(context, this.context) ||
      mapMismatch(metadata, this.metadata) ||
      mapMismatch(payload, this.payload)
    );
  }
}
