/**
 * The boot of a server as the classic 29-step description tells it (shared/seeds/001: the
 * steps of "OpenStack新建云主机流程"), and which spans of today's services fulfil each step.
 *
 * Today's Nova departs from that description: nova-api casts the build to nova-conductor,
 * which calls nova-scheduler (select_destinations on Placement allocation candidates and
 * claims) and casts build_and_run_instance to the chosen host with the instance and its flavor,
 * so compute no longer asks the conductor for the flavor (steps 14-19 are folded into 12-13);
 * tokens are validated inside the SERVER span of each request (4-5, 21, 24), in process in
 * all-in-one or through keystonemiddleware's cache, and over HTTP (Keystone's `GET
 * /v3/auth/tokens`, step 5) only on a cache miss in scale-out;
 * a boot from an image uses no Cinder volume (26-28). Each span is matched by the service that
 * made it and its name (the span names of tracing/: `METHOD /route` for a request served,
 * `METHOD <service type> /path` for a REST call, `call|cast <topic>.<method>` and
 * `handle <topic>.<method>` for RPC, and the names of the helper spans).
 */

export interface SeedStep {
  step: number;
  /** The seed's text. */
  zh: string;
  en: string;
}

export const SEED_STEPS: readonly SeedStep[] = [
  { step: 1, zh: '界面或命令行通过RESTful API向keystone获取认证信息。', en: 'The dashboard or CLI asks Keystone for credentials over its REST API' },
  { step: 2, zh: 'keystone通过用户请求认证信息，并生成auth-token返回给对应的认证请求。', en: 'Keystone authenticates the user and returns an auth token' },
  { step: 3, zh: '界面或命令行通过RESTful API向nova-api发送一个boot instance的请求（携带auth-token）。', en: 'The dashboard or CLI sends a boot-instance request to nova-api with the token' },
  { step: 4, zh: 'nova-api接受请求后向keystone发送认证请求，查看token是否为有效用户和token。', en: 'nova-api asks Keystone whether the token is valid' },
  { step: 5, zh: 'keystone验证token是否有效，如有效则返回有效的认证和对应的角色（注：有些操作需要有角色权限才能操作）。', en: 'Keystone validates the token and returns the authentication with its roles' },
  { step: 6, zh: '通过认证后nova-api和数据库通讯。', en: 'Once authenticated, nova-api talks to the database' },
  { step: 7, zh: '初始化新建虚拟机的数据库记录。', en: 'The database records of the new instance are created' },
  { step: 8, zh: 'nova-api通过rpc.call向nova-scheduler请求是否有创建虚拟机的资源(Host ID)。', en: 'nova-api asks nova-scheduler over RPC for a host with the resources' },
  { step: 9, zh: 'nova-scheduler进程侦听消息队列，获取nova-api的请求。', en: 'nova-scheduler takes the request from the message queue' },
  { step: 10, zh: 'nova-scheduler通过查询nova数据库中计算资源的情况，并通过调度算法计算符合虚拟机创建需要的主机。', en: 'nova-scheduler looks at the compute resources and picks a host that fits' },
  { step: 11, zh: '对于有符合虚拟机创建的主机，nova-scheduler更新数据库中虚拟机对应的物理主机信息。', en: 'nova-scheduler records the chosen host of the instance' },
  { step: 12, zh: 'nova-scheduler通过rpc.cast向nova-compute发送对应的创建虚拟机请求的消息。', en: 'The create request is cast to nova-compute over RPC' },
  { step: 13, zh: 'nova-compute会从对应的消息队列中获取创建虚拟机请求的消息。', en: 'nova-compute takes the create request from its queue' },
  { step: 14, zh: 'nova-compute通过rpc.call向nova-conductor请求获取虚拟机消息。（Flavor）', en: 'nova-compute asks nova-conductor for the instance (flavor) over RPC' },
  { step: 15, zh: 'nova-conductor从消息队队列中拿到nova-compute请求消息。', en: 'nova-conductor takes nova-compute\'s request from the queue' },
  { step: 16, zh: 'nova-conductor根据消息查询虚拟机对应的信息。', en: 'nova-conductor looks up the instance' },
  { step: 17, zh: 'nova-conductor从数据库中获得虚拟机对应信息。', en: 'nova-conductor reads the instance from the database' },
  { step: 18, zh: 'nova-conductor把虚拟机信息通过消息的方式发送到消息队列中。', en: 'nova-conductor sends the instance back over the queue' },
  { step: 19, zh: 'nova-compute从对应的消息队列中获取虚拟机信息消息。', en: 'nova-compute receives the instance' },
  { step: 20, zh: 'nova-compute通过keystone的RESTfull API拿到认证的token，并通过HTTP请求glance-api获取创建虚拟机所需要镜像。', en: 'Nova asks glance-api for the image over HTTP with a Keystone token' },
  { step: 21, zh: 'glance-api向keystone认证token是否有效，并返回验证结果。', en: 'glance-api has the token validated' },
  { step: 22, zh: 'token验证通过，nova-compute获得虚拟机镜像信息(URL)。', en: 'The token is valid: Nova gets the image' },
  { step: 23, zh: 'nova-compute通过keystone的RESTfull API拿到认证k的token，并通过HTTP请求neutron-server获取创建虚拟机所需要的网络信息。', en: 'nova-compute asks neutron-server for the network (ports) over HTTP' },
  { step: 24, zh: 'neutron-server向keystone认证token是否有效，并返回验证结果。', en: 'neutron-server has the token validated' },
  { step: 25, zh: 'token验证通过，nova-compute获得虚拟机网络信息。', en: 'The token is valid: nova-compute gets the network (ports)' },
  { step: 26, zh: 'nova-compute通过keystone的RESTfull API拿到认证的token，并通过HTTP请求cinder-api获取创建虚拟机所需要的持久化存储信息。', en: 'nova-compute asks cinder-api for the volumes over HTTP' },
  { step: 27, zh: 'cinder-api向keystone认证token是否有效，并返回验证结果。', en: 'cinder-api has the token validated' },
  { step: 28, zh: 'token验证通过，nova-compute获得虚拟机持久化存储信息。', en: 'The token is valid: nova-compute gets the volumes' },
  { step: 29, zh: 'nova-compute根据instance的信息调用配置的虚拟化驱动来创建虚拟机。', en: 'nova-compute calls the configured virt driver to create the instance' },
];

/** A span that fulfils a seed step: made by `service`, named `operation`. */
export interface BootStepSpan {
  service: string;
  operation: string;
  step: number;
  /** What the span does, in today's flow. */
  name: string;
}

export const BOOT_STEP_SPANS: readonly BootStepSpan[] = [
  { service: 'keystone', operation: 'POST /v3/auth/tokens', step: 2, name: 'Keystone issues a token' },
  { service: 'nova', operation: 'POST /v2.1/servers', step: 3, name: 'nova-api receives the boot request' },
  { service: 'keystone', operation: 'GET /v3/auth/tokens', step: 5, name: 'Keystone validates a token' },
  { service: 'nova', operation: 'compute_api.create', step: 7, name: 'nova-api checks quotas and creates the instance records' },
  { service: 'nova', operation: 'cast conductor.schedule_and_build_instances', step: 8, name: 'nova-api casts the build to nova-conductor (which asks the scheduler)' },
  { service: 'nova', operation: 'handle conductor.schedule_and_build_instances', step: 8, name: 'nova-conductor takes the build and asks the scheduler' },
  { service: 'nova', operation: 'call scheduler.select_destinations', step: 8, name: 'nova-conductor calls nova-scheduler select_destinations' },
  { service: 'nova', operation: 'handle scheduler.select_destinations', step: 9, name: 'nova-scheduler takes the request' },
  { service: 'nova', operation: 'GET placement /allocation_candidates', step: 10, name: 'nova-scheduler asks Placement for allocation candidates' },
  { service: 'placement', operation: 'GET /allocation_candidates', step: 10, name: 'Placement lists the hosts that fit' },
  { service: 'nova', operation: 'PUT placement /allocations/{id}', step: 11, name: 'nova-scheduler claims the resources on the chosen host' },
  { service: 'placement', operation: 'PUT /allocations/{consumer_uuid}', step: 11, name: 'Placement records the claim' },
  { service: 'nova', operation: 'cast compute.build_and_run_instance', step: 12, name: 'nova-conductor casts build_and_run_instance with the instance and flavor to the host' },
  { service: 'nova', operation: 'handle compute.build_and_run_instance', step: 13, name: 'nova-compute takes the build (instance and flavor included)' },
  { service: 'nova', operation: 'GET image /v2/images/{id}', step: 20, name: 'Nova asks Glance for the image' },
  { service: 'glance', operation: 'GET /v2/images/{image_id}', step: 22, name: 'Glance returns the image' },
  { service: 'nova', operation: 'POST network /v2.0/ports', step: 23, name: 'nova-compute asks Neutron for a port' },
  { service: 'nova', operation: 'PUT network /v2.0/ports/{id}', step: 23, name: 'nova-compute binds the port to its host' },
  { service: 'neutron', operation: 'POST /v2.0/ports', step: 25, name: 'Neutron creates the port' },
  { service: 'neutron', operation: 'PUT /v2.0/ports/{id}', step: 25, name: 'Neutron binds the port to the host' },
  { service: 'nova', operation: 'driver.spawn', step: 29, name: 'the virt driver creates the instance' },
  { service: 'nova', operation: 'wait network-vif-plugged', step: 29, name: 'the driver waits for Neutron\'s network-vif-plugged event' },
  { service: 'nova', operation: 'POST /v2.1/os-server-external-events', step: 29, name: 'nova-api receives an external event (network-vif-plugged)' },
];

/** Seed steps no span of today's flow stands for, and why. */
export const FOLDED_STEPS: ReadonlyMap<number, string> = new Map([
  [1, 'the client\'s own token request, a trace of its own before the boot'],
  [4, 'inside the SERVER span of step 3: the token is validated in process or from the cache (over HTTP, Keystone\'s GET /v3/auth/tokens is step 5)'],
  [5, 'inside the SERVER span of step 3 unless the token is validated over HTTP'],
  [6, 'part of step 7 (compute_api.create)'],
  ...[14, 15, 16, 17, 18, 19].map((n): [number, string] => [n, 'folded into steps 12-13: the conductor sends the instance and flavor with build_and_run_instance; compute no longer asks it']),
  [21, 'inside Glance\'s SERVER span of step 22 (the token check of each request)'],
  [24, 'inside Neutron\'s SERVER spans of step 25 (the token check of each request)'],
  ...[26, 27, 28].map((n): [number, string] => [n, 'no volume: a boot from an image does not call Cinder']),
]);

const bySpan = new Map(BOOT_STEP_SPANS.map((s) => [`${s.service} ${s.operation}`, s]));
/** service -> span name -> attributes, made once (looked up for every span). */
const attributesBySpan = new Map<string, Map<string, Readonly<Record<string, string | number>>>>();
for (const s of BOOT_STEP_SPANS) {
  let m = attributesBySpan.get(s.service);
  if (!m) attributesBySpan.set(s.service, (m = new Map()));
  m.set(s.operation, Object.freeze({ 'nubo.boot.step': s.step, 'nubo.boot.step_name': s.name }));
}
const seedByStep = new Map(SEED_STEPS.map((s) => [s.step, s]));

/** The step a span fulfils, by the service that made it and its name. */
export function bootStepFor(service: string, operation: string): BootStepSpan | undefined {
  return bySpan.get(`${service} ${operation}`);
}

export function seedStep(step: number): SeedStep | undefined {
  return seedByStep.get(step);
}

/** The attributes `nubo.boot.step` and `nubo.boot.step_name` of a span, when it fulfils a step. */
export function bootStepAttributes(service: string, operation: string): Readonly<Record<string, string | number>> | undefined {
  return attributesBySpan.get(service)?.get(operation);
}
