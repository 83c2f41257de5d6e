/** For the tests of a real guest on the Linux data plane (Compute and Network together, so under test/). */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namespaceSupportProblem } from '../../src/services/neutron/agent/linux/capabilities.js';
import { missingTool } from '../../src/services/neutron/testing/tools.js';
import { guestImage } from '../../src/services/nova/testing/guest-image.js';

/**
 * For tests of a real guest on the Linux data plane: a work directory under the temporary one
 * (readable by all: dnsmasq rereads its files there as nobody), and the guest image, or why the
 * test is skipped (no network namespaces, one of `tools` missing, no image).
 */
export function dataPlaneGuest(prefix: string, tools: readonly string[]): { work: string; image: { path?: string; skip?: string } } {
  const work = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(work, 0o755);
  const problem = namespaceSupportProblem() ?? missingTool(tools);
  return { work, image: problem ? { skip: problem } : guestImage(work) };
}
