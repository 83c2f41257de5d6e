/**
 * os-instance_usage_audit_log (nova/api/openstack/compute/instance_usage_audit_log.py): the
 * report of the instance usage audit of the last completed audit period (nova's default
 * [DEFAULT] instance_usage_audit_period, a month), or of the one completed before a given
 * time. The report counts the hosts with a compute service (disabled ones too) against the
 * audit's task logs. Nubo's compute hosts run no usage audit and keep no task_log, so every
 * host is reported as not run, as nova reports when its periodic audit is off.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { ApiDeps } from './deps.js';
import { caller } from './request.js';

const rule = (name: string): string => `os_compute_api:os-instance-usage-audit-log:${name}`;

/** A task_log row of the audit: its host's state, the instances audited and the errors. */
interface TaskLog { host: string; state: string; task_items: number; errors: number; message: string }

/** datetime.strptime with '%Y-%m-%d %H:%M:%S' or, with a '.', '%Y-%m-%d %H:%M:%S.%f' (as UTC). */
export function parseBeforeTimestamp(text: string): Date | undefined {
  const fraction = text.includes('.') ? '\\.(\\d{1,6})' : '';
  const m = new RegExp(`^(\\d{4})-(\\d{1,2})-(\\d{1,2})\\s+(\\d{1,2}):(\\d{1,2}):(\\d{1,2})${fraction}$`).exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const micros = m[7] ? Number(m[7].padEnd(6, '0')) : 0;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, Math.floor(micros / 1000)));
  // a day the month does not have (Feb 30) is refused, as strptime refuses it
  if (date.getUTCMonth() !== mo - 1) return undefined;
  if (y < 100) date.setUTCFullYear(y);
  return date;
}

/** utils.last_completed_audit_period('month'): the month before the one `before` falls in (a start on the 1st counts as its end). */
export function lastCompletedMonth(before: Date): { begin: Date; end: Date } {
  const month = (y: number, m: number): Date => {
    const d = new Date(Date.UTC(y, m, 1));
    d.setUTCFullYear(y + Math.floor(m / 12));
    return d;
  };
  let end = month(before.getUTCFullYear(), before.getUTCMonth());
  if (end.getTime() >= before.getTime()) end = month(before.getUTCFullYear(), before.getUTCMonth() - 1);
  return { begin: month(end.getUTCFullYear(), end.getUTCMonth() - 1), end };
}

/** str(datetime): '2026-11-01 00:00:00'. */
function pyTime(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

async function report(deps: ApiDeps, before: Date): Promise<Record<string, unknown>> {
  const { begin, end } = lastCompletedMonth(before);
  // nova's task_log_get_all(context, 'instance_usage_audit', begin, end): no audit task writes one here
  const taskLogs: TaskLog[] = [];
  const hosts = new Set((await deps.hosts.services({ binary: 'nova-compute' })).map((s) => s.host));
  const seen = new Set(taskLogs.map((t) => t.host));
  const done = new Set(taskLogs.filter((t) => t.state === 'DONE').map((t) => t.host));
  const running = new Set(taskLogs.filter((t) => t.state === 'RUNNING').map((t) => t.host));
  const totalErrors = taskLogs.reduce((n, t) => n + t.errors, 0);
  const missing = [...hosts].filter((h) => !seen.has(h));
  return {
    period_beginning: pyTime(begin), period_ending: pyTime(end),
    num_hosts: hosts.size, num_hosts_done: done.size, num_hosts_running: running.size, num_hosts_not_run: missing.length,
    hosts_not_run: missing, total_instances: taskLogs.reduce((n, t) => n + t.task_items, 0), total_errors: totalErrors,
    overall_status: `${done.size === hosts.size ? 'ALL' : `${done.size} of ${hosts.size}`} hosts done. ${totalErrors} errors.`,
    log: Object.fromEntries(taskLogs.map((t) => [t.host, { state: t.state, instances: t.task_items, errors: t.errors, message: t.message }])),
  };
}

export function instanceUsageAuditLogRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/os-instance_usage_audit_log', async (req: FastifyRequest) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, rule('list'), {});
    return { instance_usage_audit_logs: await report(deps, new Date()) };
  });

  app.get<{ Params: { before: string } }>('/os-instance_usage_audit_log/:before', async (req) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, rule('show'), {});
    const before = parseBeforeTimestamp(req.params.before);
    if (!before) throw new BadRequest(`Invalid timestamp for date ${req.params.before}`);
    return { instance_usage_audit_log: await report(deps, before) };
  });
}
