/** Cinder's microversions at Zed (cinder/api/openstack/api_version_request.py): 3.0 to 3.70. */
import type { MicroversionPolicy } from '../../../common/http/microversion.js';

export const MIN_VERSION = '3.0';
export const MAX_VERSION = '3.70';
export const VERSION_UPDATED = '2022-08-31T00:00:00Z';

export const cinderMicroversions: MicroversionPolicy = { serviceType: 'volume', min: MIN_VERSION, max: MAX_VERSION };
