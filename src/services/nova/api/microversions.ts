/**
 * The Compute API's microversions: 2.1 to 2.93 (nova 26), negotiated from
 * `OpenStack-API-Version: compute X.Y` or the legacy `X-OpenStack-Nova-API-Version`.
 */
import type { MicroversionPolicy } from '../../../common/http/microversion.js';

export const MIN_API_VERSION = '2.1';
export const MAX_API_VERSION = '2.93';

export const computeMicroversions: MicroversionPolicy = {
  serviceType: 'compute',
  legacyHeader: 'X-OpenStack-Nova-API-Version',
  min: MIN_API_VERSION,
  max: MAX_API_VERSION,
  echoRefused: true,
};
