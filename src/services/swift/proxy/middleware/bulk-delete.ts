/**
 * Deleting many names for one request (bulk.py handle_delete_iter): `/container/object` and
 * `container` names, objects first and containers after, each by a DELETE subrequest through
 * the whole proxy (so each is authorized on its own). Used by `?bulk-delete` (bulk.ts) and by
 * SLO's `multipart-manifest=delete` (slo.ts).
 */
import type { SwiftRequest } from '../request.js';
import { answer, drain, subrequest, type Handler } from './pipeline.js';
import { quoteName, statusLine } from './result-body.js';

export interface DeleteEntry {
  /** '/container/object' or 'container' (decoded). */
  name: string;
  /** Why it cannot be deleted, found before (a manifest that could not be read). */
  error?: { code: number; message: string };
}

export interface DeleteOutcome {
  summary: { 'Response Status': string; 'Response Body': string; 'Number Deleted': number; 'Number Not Found': number };
  errors: Array<[string, string]>;
}

export const MAX_FAILED_DELETES = 1000;

/** Deletes the entries in order (objects, then containers), counting what happened. */
export async function deleteAll(app: Handler, req: SwiftRequest, entries: DeleteEntry[], source: string): Promise<DeleteOutcome> {
  const summary: DeleteOutcome['summary'] = { 'Response Status': statusLine(200), 'Response Body': '', 'Number Deleted': 0, 'Number Not Found': 0 };
  const errors: Array<[string, string]> = [];
  let failedStatus = 400;
  const isObject = (name: string): boolean => name.replace(/^\/+|\/+$/g, '').includes('/');
  const ordered = [...entries.filter((e) => isObject(e.name)), ...entries.filter((e) => !isObject(e.name))];
  for (const entry of ordered) {
    if (!entry.name) continue;
    if (entry.error) {
      if (entry.error.code === 404) summary['Number Not Found']++;
      else errors.push([quoteName(entry.name), entry.error.message]);
      continue;
    }
    const path = entry.name.replace(/^\/+/, '');
    const slash = path.indexOf('/');
    const container = slash < 0 ? path : path.slice(0, slash);
    const object = slash < 0 ? undefined : path.slice(slash + 1);
    const res = await answer(app, subrequest(req, source, { method: 'DELETE', container, ...(object !== undefined ? { object } : {}) }));
    drain(res);
    if (res.status >= 200 && res.status < 300) summary['Number Deleted']++;
    else if (res.status === 404) summary['Number Not Found']++;
    else {
      if (res.status >= 500) failedStatus = 502;
      errors.push([quoteName(entry.name), statusLine(res.status)]);
      if (errors.length >= MAX_FAILED_DELETES) {
        summary['Response Status'] = statusLine(400);
        summary['Response Body'] = 'Max delete failures exceeded';
        return { summary, errors };
      }
    }
  }
  if (errors.length > 0) summary['Response Status'] = statusLine(failedStatus);
  else if (summary['Number Deleted'] === 0 && summary['Number Not Found'] === 0) {
    summary['Response Status'] = statusLine(400);
    summary['Response Body'] = 'Invalid bulk delete.';
  }
  return { summary, errors };
}
