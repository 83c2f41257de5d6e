/**
 * Glance's default policy rules (glance/policies/{base,image,tasks,discovery}.py, secure-RBAC
 * defaults). Targets are image targets: `project_id` is the image owner, `member_id` the
 * viewer's project when it sees a shared image as a member (glance's ImageTarget).
 */
import type { RuleDefault } from '../../../common/policy/index.js';

const PROJECT_MEMBER = 'role:member and project_id:%(project_id)s';
const PROJECT_READER = 'role:reader and project_id:%(project_id)s';
const IMAGE_MEMBER_CHECK = 'project_id:%(member_id)s';
const COMMUNITY = "'community':%(visibility)s";
const PUBLIC = "'public':%(visibility)s";
const SHARED = "'shared':%(visibility)s";
const VISIBLE = `project_id:%(project_id)s or ${IMAGE_MEMBER_CHECK} or ${COMMUNITY} or ${PUBLIC} or ${SHARED}`;

const ADMIN = 'rule:context_is_admin';
const DEFAULT = 'rule:default';
const SERVICE = 'rule:service_api';
const ADMIN_OR_PROJECT_MEMBER = `${ADMIN} or (${PROJECT_MEMBER})`;
const ADMIN_OR_PROJECT_READER = `${ADMIN} or (${PROJECT_READER})`;
const ADMIN_OR_PROJECT_READER_GET_IMAGE = `${ADMIN} or (role:reader and (${VISIBLE}))`;
const ADMIN_OR_PROJECT_MEMBER_DOWNLOAD_IMAGE = `${ADMIN} or (role:member and (${VISIBLE}))`;
const ADMIN_OR_PROJECT_MEMBER_CREATE_IMAGE = `${ADMIN} or (${PROJECT_MEMBER} and project_id:%(owner)s)`;
const ADMIN_OR_SHARED_MEMBER = `${ADMIN} or (role:member and ${IMAGE_MEMBER_CHECK})`;
const ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER = `${ADMIN} or role:reader and (project_id:%(project_id)s or ${IMAGE_MEMBER_CHECK})`;
const SERVICE_OR_PROJECT_MEMBER = `${SERVICE} or (${PROJECT_MEMBER} and project_id:%(owner)s)`;
const ADMIN_OR_PROJECT_READER_GET_NAMESPACE = `${ADMIN} or (role:reader and (project_id:%(project_id)s or ${PUBLIC}))`;
const METADEF_ADMIN = 'rule:metadef_admin';

/** Metadata definition rules (glance/policies/metadef.py): reads by visibility, writes by admins. */
function metadefPolicies(): RuleDefault[] {
  const read = (name: string): RuleDefault => project(name, ADMIN_OR_PROJECT_READER_GET_NAMESPACE, name.replace(/_/g, ' '));
  const write = (name: string): RuleDefault => project(name, METADEF_ADMIN, name.replace(/_/g, ' '));
  return [
    { name: 'metadef_default', checkStr: '', description: 'Default rule of metadef policies.' },
    { name: 'metadef_admin', checkStr: ADMIN, description: 'Administrative metadef operations.' },
    read('get_metadef_namespace'),
    project('get_metadef_namespaces', ADMIN_OR_PROJECT_READER, 'List namespace.'),
    write('modify_metadef_namespace'), write('add_metadef_namespace'), write('delete_metadef_namespace'),
    read('get_metadef_object'), read('get_metadef_objects'),
    write('modify_metadef_object'), write('add_metadef_object'), write('delete_metadef_object'),
    read('list_metadef_resource_types'), read('get_metadef_resource_type'),
    write('add_metadef_resource_type_association'), write('remove_metadef_resource_type_association'),
    read('get_metadef_property'), read('get_metadef_properties'),
    write('modify_metadef_property'), write('add_metadef_property'), write('remove_metadef_property'),
    read('get_metadef_tag'), read('get_metadef_tags'),
    write('modify_metadef_tag'), write('add_metadef_tag'), write('add_metadef_tags'), write('delete_metadef_tag'), write('delete_metadef_tags'),
  ];
}

const project = (name: string, checkStr: string, description: string, method?: string, path?: string): RuleDefault => ({
  name, checkStr, description, scopeTypes: ['project'], ...(method && path ? { operations: [{ method, path }] } : {}),
});

export const glancePolicies: RuleDefault[] = [
  { name: 'default', checkStr: '', description: 'Defines the default rule used for policies that historically had an empty policy in the supplied policy.json file.' },
  { name: 'context_is_admin', checkStr: 'role:admin', description: 'Defines the rule for the is_admin:True check.' },
  { name: 'service_api', checkStr: 'role:service or role:admin', description: 'Default rule for the service-to-service API.' },

  project('add_image', ADMIN_OR_PROJECT_MEMBER_CREATE_IMAGE, 'Create new image', 'POST', '/v2/images'),
  project('delete_image', ADMIN_OR_PROJECT_MEMBER, 'Deletes the image', 'DELETE', '/v2/images/{image_id}'),
  project('get_image', ADMIN_OR_PROJECT_READER_GET_IMAGE, 'Get specified image', 'GET', '/v2/images/{image_id}'),
  project('get_images', ADMIN_OR_PROJECT_READER, 'Get all available images', 'GET', '/v2/images'),
  project('modify_image', ADMIN_OR_PROJECT_MEMBER, 'Updates given image', 'PATCH', '/v2/images/{image_id}'),
  project('publicize_image', ADMIN, 'Publicize given image', 'PATCH', '/v2/images/{image_id}'),
  project('communitize_image', ADMIN_OR_PROJECT_MEMBER, 'Communitize given image', 'PATCH', '/v2/images/{image_id}'),
  project('download_image', ADMIN_OR_PROJECT_MEMBER_DOWNLOAD_IMAGE, 'Downloads given image', 'GET', '/v2/images/{image_id}/file'),
  project('download_from_store', ADMIN_OR_PROJECT_MEMBER_DOWNLOAD_IMAGE, 'Downloads given image from a preferred store', 'GET', '/v2/images/{image_id}/file'),
  project('upload_image', ADMIN_OR_PROJECT_MEMBER, 'Uploads data to specified image', 'PUT', '/v2/images/{image_id}/file'),
  project('delete_image_location', ADMIN, 'Deletes the location of given image', 'PATCH', '/v2/images/{image_id}'),
  project('get_image_location', ADMIN_OR_PROJECT_READER, 'Reads the location of the image', 'GET', '/v2/images/{image_id}'),
  project('set_image_location', ADMIN_OR_PROJECT_MEMBER, 'Sets location URI to given image', 'PATCH', '/v2/images/{image_id}'),
  project('add_image_location', SERVICE_OR_PROJECT_MEMBER, 'Add location to an existing image', 'POST', '/v2/images/{image_id}/locations'),
  project('fetch_image_location', SERVICE, 'Show all locations associated to an image', 'GET', '/v2/images/{image_id}/locations'),
  project('add_member', ADMIN_OR_PROJECT_MEMBER, 'Create image member', 'POST', '/v2/images/{image_id}/members'),
  project('delete_member', ADMIN_OR_PROJECT_MEMBER, 'Delete image member', 'DELETE', '/v2/images/{image_id}/members/{member_id}'),
  project('get_member', ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER, 'Show image member details', 'GET', '/v2/images/{image_id}/members/{member_id}'),
  project('get_members', ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER, 'List image members', 'GET', '/v2/images/{image_id}/members'),
  project('modify_member', ADMIN_OR_SHARED_MEMBER, 'Update image member', 'PUT', '/v2/images/{image_id}/members/{member_id}'),
  project('manage_image_cache', ADMIN, 'Manage image cache'),
  project('deactivate', ADMIN_OR_PROJECT_MEMBER, 'Deactivate image', 'POST', '/v2/images/{image_id}/actions/deactivate'),
  project('reactivate', ADMIN_OR_PROJECT_MEMBER, 'Reactivate image', 'POST', '/v2/images/{image_id}/actions/reactivate'),
  project('copy_image', ADMIN, 'Copy existing image to other stores', 'POST', '/v2/images/{image_id}/import'),

  project('get_task', DEFAULT, 'Get an image task.', 'GET', '/v2/tasks/{task_id}'),
  project('get_tasks', DEFAULT, 'List tasks for all images.', 'GET', '/v2/tasks'),
  project('add_task', DEFAULT, 'List tasks for all images.', 'POST', '/v2/tasks'),
  project('modify_task', DEFAULT, 'This policy is not used.'),
  project('tasks_api_access', ADMIN, 'Access to tasks API calls.'),

  project('stores_info_detail', `${ADMIN} or ${SERVICE}`, 'Expose store specific information', 'GET', '/v2/info/stores/detail'),
  ...metadefPolicies(),
];
