/**
 * Glance's notifications (glance/notifier.py): image.create/update/delete/upload/activate/
 * prepare/send, image.member.* and task.*, with upstream's payload shapes, sent with
 * publisher_id `image.localhost`. Unlike upstream (which sends an empty context), they carry
 * the context of the request that caused them (request id, user, project; the token removed):
 * the sink is called in that request's scope and the Notifier takes the scope's context.
 * [image] disabled_notifications drops single types (image.update) or whole groups (image).
 */
import type { ImageMember } from '../db/member-repo.js';
import type { Task } from '../db/task-repo.js';
import type { Image } from '../domain/image.js';
import { isotime } from '../domain/time.js';

/**
 * Where notifications go: the message bus in the service, a recorder in tests. `notify` is
 * called synchronously from the code that caused the event, so it runs in its request scope.
 */
export interface NotificationSink {
  notify(priority: 'INFO' | 'WARN' | 'ERROR', eventType: string, payload: unknown): Promise<void>;
}

export interface ImageSendInfo {
  bytesSent: number;
  image: Image;
  receiverProjectId: string | null;
  receiverUserId: string | null;
}

export function imagePayload(image: Image): Record<string, unknown> {
  return {
    id: image.id,
    name: image.name,
    status: image.status,
    created_at: isotime(image.created_at),
    updated_at: isotime(image.updated_at),
    min_disk: image.min_disk,
    min_ram: image.min_ram,
    protected: image.protected,
    checksum: image.checksum,
    owner: image.owner,
    disk_format: image.disk_format,
    container_format: image.container_format,
    size: image.size,
    virtual_size: image.virtual_size,
    is_public: image.visibility === 'public',
    visibility: image.visibility,
    properties: { ...image.properties },
    tags: [...image.tags],
    deleted: false,
    deleted_at: null,
  };
}

function importProperties(image: Image): Record<string, string[]> {
  const list = (v: string | null | undefined): string[] => (v ? v.split(',') : []);
  return {
    os_glance_importing_to_stores: list(image.properties['os_glance_importing_to_stores']),
    os_glance_failed_import: list(image.properties['os_glance_failed_import']),
  };
}

export function memberPayload(m: ImageMember): Record<string, unknown> {
  return {
    image_id: m.image_id, member_id: m.member_id, status: m.status, created_at: isotime(m.created_at), updated_at: isotime(m.updated_at),
    deleted: false, deleted_at: null,
  };
}

export function taskPayload(t: Task): Record<string, unknown> {
  return {
    id: t.id, type: t.type, status: t.status, result: t.result, owner: t.owner, message: t.message, expires_at: t.expires_at && isotime(t.expires_at),
    created_at: isotime(t.created_at), updated_at: isotime(t.updated_at), deleted: false, deleted_at: null,
    image_id: t.image_id, request_id: t.request_id, user_id: t.user_id,
  };
}

const isoNow = (): string => isotime(new Date());

export class ImageNotifier {
  constructor(
    private readonly sink: NotificationSink,
    private readonly disabled: readonly string[] = [],
    private readonly onError: (err: unknown, eventType: string) => void = () => undefined,
  ) {}

  private enabled(eventType: string): boolean {
    const group = eventType.split('.')[0]!;
    return !this.disabled.some((d) => d === eventType || d === group);
  }

  /** Send; a broken bus never fails the API call (upstream logs and goes on). */
  send(priority: 'INFO' | 'WARN' | 'ERROR', eventType: string, payload: unknown): void {
    if (!this.enabled(eventType)) return;
    this.sink.notify(priority, eventType, payload).catch((err) => this.onError(err, eventType));
  }

  imageCreated(image: Image): void { this.send('INFO', 'image.create', imagePayload(image)); }
  imageUpdated(image: Image): void { this.send('INFO', 'image.update', imagePayload(image)); }
  imageDeleted(image: Image): void { this.send('INFO', 'image.delete', { ...imagePayload(image), deleted: true, deleted_at: isoNow() }); }
  /** Data is about to be written (before image.upload). */
  imagePrepare(image: Image, backend: string | undefined): void {
    this.send('INFO', 'image.prepare', { ...imagePayload(image), ...importProperties(image), ...(backend ? { backend } : {}) });
  }
  imageUploaded(image: Image): void { this.send('INFO', 'image.upload', { ...imagePayload(image), ...importProperties(image) }); }
  /** An upload failed: upstream sends the error text as the payload. */
  imageUploadFailed(message: string): void { this.send('ERROR', 'image.upload', message); }
  imageActivated(image: Image): void { this.send('INFO', 'image.activate', imagePayload(image)); }
  /** After a download: ERROR when fewer bytes than expected were sent. */
  imageSent(info: ImageSendInfo, expected: number): void {
    this.send(info.bytesSent === expected ? 'INFO' : 'ERROR', 'image.send', {
      bytes_sent: info.bytesSent,
      image_id: info.image.id,
      owner_id: info.image.owner,
      receiver_tenant_id: info.receiverProjectId,
      receiver_user_id: info.receiverUserId,
    });
  }
  memberCreated(m: ImageMember): void { this.send('INFO', 'image.member.create', memberPayload(m)); }
  memberUpdated(m: ImageMember): void { this.send('INFO', 'image.member.update', memberPayload(m)); }
  memberDeleted(m: ImageMember): void { this.send('INFO', 'image.member.delete', { ...memberPayload(m), deleted: true, deleted_at: isoNow() }); }
  task(eventType: 'task.create' | 'task.run' | 'task.processing' | 'task.success' | 'task.failure', t: Task): void {
    this.send('INFO', eventType, taskPayload(t));
  }
}
