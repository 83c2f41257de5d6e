import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskUrlCredentials } from './url-credentials.js';
import { createHttpApp } from '../http/app.js';
import { createLogger } from './logger.js';

test('credential-like query values are masked, names and other parameters kept', () => {
  const cases: Array<[string, string]> = [
    ['/v3/users', '/v3/users'],
    ['/v2.0/networks?name=net&sort_key=name&limit=5', '/v2.0/networks?name=net&sort_key=name&limit=5'],
    ['/v3/auth/tokens?token=gAAAAAB&nocatalog', '/v3/auth/tokens?token=***&nocatalog'],
    ['/x?auth_token=abc&name=y', '/x?auth_token=***&name=y'],
    ['/x?X-Auth-Token=abc', '/x?X-Auth-Token=***'],
    ['/x?password=hunter2&os_password=a&passwd=b', '/x?password=***&os_password=***&passwd=***'],
    ['/x?secret=s&client_secret=c&key=k', '/x?secret=***&client_secret=***&key=***'],
    ['/v1/AUTH_p/c/o?temp_url_sig=da39a3ee&temp_url_expires=1700000000', '/v1/AUTH_p/c/o?temp_url_sig=***&temp_url_expires=1700000000'],
    [
      '/b/o?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F2024&X-Amz-Date=20240101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok&X-Amz-Signature=abcd',
      '/b/o?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Date=20240101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Security-Token=***&X-Amz-Signature=***',
    ],
    ['/b/o?AWSAccessKeyId=AK&Expires=1&Signature=s%2B', '/b/o?AWSAccessKeyId=***&Expires=1&Signature=***'],
    ['/x?signature=a&signature=b', '/x?signature=***&signature=***'],
    ['/x?%74oken=abc', '/x?%74oken=***'],
    ['/x?token', '/x?token'],
    ['/x?token=', '/x?token=***'],
  ];
  for (const [url, masked] of cases) assert.equal(maskUrlCredentials(url), masked, url);
});

test('the request log line shows the path with the token in its query masked', async () => {
  const lines: string[] = [];
  const destination = { write(s: string) { lines.push(s); return true; } } as unknown as NodeJS.WritableStream;
  const app = createHttpApp({ log: createLogger({ level: 'info', destination }), bodyLimit: 1024, keepAliveTimeout: 1000 });
  await app.inject({ url: '/healthcheck?auth_token=gAAAAABsecretvalue&verbose=1' });
  const line = lines.find((l) => l.includes('"msg":"request"'));
  assert.ok(line, lines.join('\n'));
  assert.equal(JSON.parse(line).path, '/healthcheck?auth_token=***&verbose=1');
  assert.doesNotMatch(lines.join('\n'), /gAAAAABsecretvalue/);
});
