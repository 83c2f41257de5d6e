/**
 * Service-to-service REST: the ServiceSession (keystoneauth's role) and the typed client of
 * each service built on it (openstacksdk's proxies).
 */
export {
  ServiceClientError,
  ServiceSession,
  type ClientResponse,
  type RequestData,
  type RequestOptions,
  type ResponseHeaders,
  type SessionOptions,
  type StreamBody,
  type StreamRequestOptions,
  type StreamResponse,
} from './session.js';
export { ServiceProxy, type ProxyOptions, type ProxyRequestOptions, type ServiceDescription } from './proxy.js';
export { catalogEndpoint, IdentityClient, type CatalogEntry, type IdentityService, type Limit, type LimitQuery, type Project, type RegisteredLimit } from './identity.js';
export { ImageClient, type Image, type ImageCreate, type ImageData, type ImagePatchOp } from './image.js';
export { NetworkClient, type FixedIp, type Network, type NetworkFilters, type Port, type PortFields, type SecurityGroup, type SecurityGroupRule } from './network.js';
export { ComputeClient, type Server, type ServerExternalEvent, type ServerExternalEventName, type ServerExternalEventResult } from './compute.js';
export { VolumeClient, type Connector, type Volume, type VolumeAttachment, type VolumeCreateRequest, type VolumeSnapshot } from './volume.js';
export { ObjectClient, type ContainerInfo, type Listing, type ListingQuery, type ObjectInfo, type PutObjectOptions } from './object.js';
