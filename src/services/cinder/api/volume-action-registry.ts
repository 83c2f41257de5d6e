/**
 * Volume actions kept in their own modules: a table of handlers by action name that
 * POST /volumes/{id}/action (volume-actions.ts) consults for the actions it does not handle
 * itself.
 */
import type { FastifyReply } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { VolumeRecord } from '../db/records.js';
import type { ApiDeps } from './deps.js';
import type { Caller } from './request.js';

export interface VolumeAction {
  deps: ApiDeps;
  c: Caller;
  v: VolumeRecord;
  /** The action's value in the body (`{"os-retype": {...}}` → `{...}`). */
  arg: unknown;
  reply: FastifyReply;
}

export type VolumeActionHandler = (a: VolumeAction) => Promise<FastifyReply>;
export type VolumeActionTable = Readonly<Record<string, VolumeActionHandler>>;

/** The action's argument as an object (`{}` for null when `allowNull`). @throws BadRequest */
export function argObject(action: string, v: unknown, allowNull = false): Record<string, unknown> {
  if ((v === null || v === undefined) && allowNull) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest(`Invalid input for field/attribute ${action}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'object'`);
  return v as Record<string, unknown>;
}

/** Properties beyond `allowed` are a 400 (additionalProperties: false). */
export function onlyProperties(action: string, o: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw new BadRequest(`Invalid input for field/attribute ${action}. Value: ${JSON.stringify(o)}. Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
}

export function required(action: string, o: Record<string, unknown>, key: string): unknown {
  if (o[key] === undefined) throw new BadRequest(`Invalid input for field/attribute ${action}. Value: ${JSON.stringify(o)}. '${key}' is a required property`);
  return o[key];
}
