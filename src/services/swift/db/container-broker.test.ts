/**
 * Object rows merged in one transaction (the container server's batch of the updates that came
 * in together) give what the same rows merged one at a time give: the newest timestamp of each
 * name wins, whatever the order, and the counts follow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HandleCache } from './broker.js';
import { ContainerBroker, type ObjectUpdate } from './container-broker.js';

const row = (name: string, timestamp: string, size: number, deleted = false): ObjectUpdate => ({ name, timestamp, size, contentType: 'text/plain', etag: 'e', deleted });

test('a batch of object rows merges as the rows one by one would', () => {
  const dir = mkdtempSync(join(tmpdir(), 'container-broker-'));
  const handles = new HandleCache();
  try {
    const broker = ContainerBroker.create(handles, join(dir, 'c.db'), join(dir, 'tmp'), 'AUTH_a', 'c', '1700000000.00000');
    const merged = broker.putObjects([
      row('o1', '1700000001.00000', 10),
      row('o2', '1700000002.00000', 20),
      row('o1', '1700000000.50000', 99), // older than the row before it in the same batch: ignored
      row('o3', '1700000003.00000', 30),
      row('o3', '1700000004.00000', 0, true), // deleted in the same batch
    ]);
    assert.deepEqual(merged, [true, true, false, true, true]);
    const info = broker.info();
    assert.equal(info.object_count, 2);
    assert.equal(info.bytes_used, 30);
    assert.deepEqual(broker.list({ limit: 10 }).map((e) => ('row' in e ? e.row.name : e.subdir)), ['o1', 'o2']);
    assert.equal(broker.putObject('o2', '1700000001.00000', 5, 'text/plain', 'e', false), false, 'an older row alone is refused too');
  } finally {
    handles.closeAll();
    rmSync(dir, { recursive: true, force: true });
  }
});
