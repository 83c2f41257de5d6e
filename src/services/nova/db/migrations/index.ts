/** Schema migrations of Nova's database, applied in name order. */
import type { Migrations } from '../../../../common/db/index.js';
import { initial } from './0001_initial.js';
import { virtualInterfaces } from './0005_virtual_interfaces.js';
import { consoleAuthTokens } from './0006_console_auth_tokens.js';
import { s3Images } from './0008_s3_images.js';
import { consoleUnixSocket } from './0009_console_unix_socket.js';

export const novaMigrations: Migrations = {
  '0001_initial': initial,
  '0005_virtual_interfaces': virtualInterfaces,
  '0006_console_auth_tokens': consoleAuthTokens,
  '0008_s3_images': s3Images,
  '0009_console_unix_socket': consoleUnixSocket,
};
