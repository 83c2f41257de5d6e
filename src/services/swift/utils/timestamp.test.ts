import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoFromTimestamp } from './timestamp.js';

test('last_modified of listings: the civil date of the seconds, the fraction to six digits', () => {
  assert.equal(isoFromTimestamp('0000000000.00000'), '1970-01-01T00:00:00.000000');
  assert.equal(isoFromTimestamp('0951782400.12345'), '2000-02-29T00:00:00.123450'); // a leap day of a year divisible by 400
  assert.equal(isoFromTimestamp('4107542399.99999'), '2100-02-28T23:59:59.999990'); // 2100 is not a leap year
  assert.equal(isoFromTimestamp('1700000000.5'), '2023-11-14T22:13:20.50');
  assert.equal(isoFromTimestamp('253402300799.00000'), '9999-12-31T23:59:59.000000');
});

test('the same as Date#toISOString for any second from 1970 to 9999', () => {
  for (let i = 0; i < 100_000; i++) {
    const sec = i < 50_000 ? Math.floor(Math.random() * 253402300800) : (i - 50_000) * 86399;
    const ts = `${String(sec).padStart(10, '0')}.00001`;
    assert.equal(isoFromTimestamp(ts), `${new Date(sec * 1000).toISOString().slice(0, 19)}.000010`, ts);
  }
});
