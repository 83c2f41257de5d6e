/**
 * Readers of incoming RPC arguments (RpcArgs): agents send JSON, so each value is checked
 * where it is read. Strings are taken as upstream's servers take them (str()), lists of
 * strings are lists, objects are objects; what does not fit reads as absent.
 */
import { isJsonObject } from '../types/common.js';
import type { RpcArgs } from './payloads.js';

export function stringArg(args: RpcArgs, key: string): string {
  return String(args[key]);
}

export function optionalStringArg(args: RpcArgs, key: string): string | undefined {
  const v = args[key];
  return v === undefined || v === null ? undefined : String(v);
}

export function stringListArg(args: RpcArgs, key: string): string[] {
  const v = args[key];
  return Array.isArray(v) ? v.map(String) : [];
}

export function objectArg(args: RpcArgs, key: string): RpcArgs | undefined {
  const v = args[key];
  return isJsonObject(v) ? v : undefined;
}
