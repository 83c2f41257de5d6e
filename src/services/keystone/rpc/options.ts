/**
 * Options of Keystone's notifications: [DEFAULT] notification_format and notification_opt_out
 * (keystone/conf/default.py, same names and defaults) and the [oslo_messaging_notifications]
 * driver and topics (oslo.messaging's). The publisher id is `identity.<[DEFAULT] host>` (upstream:
 * default_publisher_id or the host name).
 */
import { defineGroup, opt, type GroupDef, type OptMap, type Values } from '../../../common/config/index.js';
import { osloMessagingNotificationsGroup } from '../../../common/messaging/notification-options.js';

export { osloMessagingNotificationsGroup };

export const notificationDefaultsGroup = defineGroup('DEFAULT', 'Identity notifications', {
  notification_format: opt.enum(['basic', 'cadf'], 'cadf',
    'Format of the identity notifications: basic (payload {"resource_info": <id>}) or cadf (a CADF event that also carries resource_info). ' +
    'Role assignment and authentication notifications are CADF in both, as upstream.'),
  notification_opt_out: opt.list(['identity.authenticate.success', 'identity.authenticate.pending'],
    'Identity event types not sent (identity.<resource_type>.<operation>; identity.authenticate.<outcome> for authentication).'),
});

export const notificationConfigGroups = [notificationDefaultsGroup, osloMessagingNotificationsGroup] as const;

export interface NotificationConfig {
  format: 'basic' | 'cadf';
  optOut: readonly string[];
  driver: 'messaging' | 'messagingv2' | 'noop';
  topics: readonly string[];
}

type Getter = { get: <S extends OptMap>(g: GroupDef<S>) => Values<S> };

export function notificationConfigFrom(config: Getter): NotificationConfig {
  const d = config.get(notificationDefaultsGroup);
  const o = config.get(osloMessagingNotificationsGroup);
  return {
    format: d.notification_format as NotificationConfig['format'],
    optOut: d.notification_opt_out,
    driver: o.driver as NotificationConfig['driver'],
    topics: o.topics,
  };
}
