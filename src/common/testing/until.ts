/** Test support: wait until a condition holds, polling every 50 ms, or fail naming what was awaited. For tests only. */
import assert from 'node:assert/strict';

export async function until(pred: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}
