/**
 * Network namespaces (ip_lib.IPWrapper.netns): list, create (with its loopback up, as
 * ip_lib.create_network_namespace callers do), delete, and the processes living in one.
 */
import { CommandError, ip, ipJson } from './exec.js';

interface NetnsRow {
  name: string;
  id?: number;
}

export async function listNamespaces(): Promise<string[]> {
  return (await ipJson<NetnsRow>(undefined, ['netns', 'list'])).map((n) => n.name);
}

export async function namespaceExists(name: string): Promise<boolean> {
  return (await listNamespaces()).includes(name);
}

/** Creates the namespace when missing and brings its loopback up. */
export async function ensureNamespace(name: string): Promise<void> {
  if (!(await namespaceExists(name))) {
    try {
      await ip(undefined, ['netns', 'add', name]);
    } catch (err) {
      // created meanwhile by another agent of this process
      if (!(err instanceof CommandError && /File exists/.test(err.stderr))) throw err;
    }
  }
  await ip(name, ['link', 'set', 'lo', 'up']);
}

/** The pids of the processes in the namespace (`ip netns pids`). */
export async function namespacePids(name: string): Promise<number[]> {
  const out = await ip(undefined, ['netns', 'pids', name]).catch(() => '');
  return out.split(/\s+/).filter(Boolean).map(Number).filter(Number.isInteger);
}

/** Deletes the namespace (its devices go with it; a veth's peer elsewhere goes too). */
export async function deleteNamespace(name: string): Promise<void> {
  try {
    await ip(undefined, ['netns', 'delete', name]);
  } catch (err) {
    if (!(err instanceof CommandError && /No such file/.test(err.stderr))) throw err;
  }
}
