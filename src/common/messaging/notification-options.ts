/**
 * oslo.messaging's [oslo_messaging_notifications] options, shared by every service of the cloud
 * (one definition, so each service's config groups may list it).
 */
import { defineGroup, opt } from '../config/index.js';

export const osloMessagingNotificationsGroup = defineGroup('oslo_messaging_notifications', 'Notifications on the message bus', {
  driver: opt.enum(['messaging', 'messagingv2', 'noop'], 'messaging',
    'messaging / messagingv2: send notifications on the bus; noop: send none. ' +
    'The token cache invalidations that services validating tokens over HTTP depend on are sent in any case.'),
  topics: opt.list(['notifications'], 'Topics notifications are sent to.'),
});
