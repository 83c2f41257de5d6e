/**
 * Test harness of the image service: the common harness (src/common/testing) with Glance's
 * notifications recorded in order, unless the test wants them on the bus. For tests only.
 */
import type { DatabaseTarget } from '../../../common/db/index.js';
import { startHarness, type Harness, type Persona } from '../../../common/testing/harness.js';
import { glance } from '../index.js';
import type { NotificationSink } from '../rpc/notifications.js';
import { buildImageService, type ImageInstance } from '../service.js';

export type { Persona };

export interface Recorded {
  priority: string;
  eventType: string;
  payload: unknown;
}

export interface TestGlance extends Harness<ImageInstance> {
  service: ImageInstance;
  notifications: Recorded[];
  /** Register a token for a persona and return it. */
  token(name: string, persona: Persona): string;
}

/**
 * @param overrides configuration values ('group.key' -> value)
 * @param opts.bus send notifications on the in-process bus (a real Notifier) instead of recording them
 * @param opts.target the database (default: SQLite in the data dir)
 */
export async function startTestGlance(overrides: Record<string, string> = {}, opts: { bus?: boolean; target?: DatabaseTarget } = {}): Promise<TestGlance> {
  const notifications: Recorded[] = [];
  const sink: NotificationSink = {
    notify: async (priority, eventType, payload) => {
      notifications.push({ priority, eventType, payload });
    },
  };
  const h = await startHarness<ImageInstance>({
    project: glance,
    overrides: { 'image.use_keystone_limits': 'false', ...overrides },
    ...(opts.target ? { target: opts.target } : {}),
    create: (ctx) => buildImageService({ ctx, ...(opts.bus ? {} : { sink }) }),
  });
  return {
    ...h,
    service: h.instance,
    notifications,
    token: (name, persona) => h.tokens.persona(name, persona),
    async close() {
      await h.instance.drain();
      await h.close();
    },
  };
}
