/**
 * Nova's objects, registered so that their primitives are rebuilt on the other side of the
 * bus (base.ts). Import objects from here so the registration has run.
 */
import { registerObjects } from './base.js';
import { BlockDeviceMapping } from './block-device.js';
import { Flavor } from './flavor.js';
import { ImageMeta } from './image-meta.js';
import { Instance } from './instance.js';
import { InstanceGroup } from './instance-group.js';
import { Migration } from './migration.js';
import { NetworkRequest, NetworkRequestList } from './network-request.js';
import { RequestSpec } from './request-spec.js';
import { Selection } from './selection.js';

registerObjects(BlockDeviceMapping, Flavor, ImageMeta, Instance, InstanceGroup, NetworkRequest, NetworkRequestList, RequestSpec, Selection);
registerObjects(Migration);

export { expectObject, fromPrimitive, NovaObject, NovaObjectSerializer, registerObjects, toPrimitive, type NovaObjectClass } from './base.js';
export { BlockDeviceMapping, type BlockDeviceMappingFields } from './block-device.js';
export { Flavor, type FlavorFields } from './flavor.js';
export { ImageMeta, type ImageMetaFields } from './image-meta.js';
export { Instance, type InstanceFields, type VifInfo } from './instance.js';
export { InstanceGroup, type GroupPolicy, type InstanceGroupFields } from './instance-group.js';
export { Migration, MigrationType, type MigrationFields } from './migration.js';
export { NetworkRequest, NetworkRequestList, type NetworkRequestFields } from './network-request.js';
export { RequestSpec, type Destination, type RequestSpecFields } from './request-spec.js';
export { Selection, type SelectionFields } from './selection.js';
