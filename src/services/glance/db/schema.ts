/**
 * Glance's database: images (soft-deleted, as upstream, so a deleted id is never reused),
 * their custom properties, tags, data locations and members, and async tasks.
 *
 * Dialect rules: ids from the application, booleans 0/1, JSON as text, timestamps as ISO
 * strings with whole seconds (what Glance shows), sizes as bigint.
 */
export interface ImagesTable {
  id: string;
  name: string | null;
  disk_format: string | null;
  container_format: string | null;
  size: number | null;
  virtual_size: number | null;
  status: string;
  visibility: string;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  min_disk: number;
  min_ram: number;
  protected: number;
  os_hidden: number;
  owner: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  deleted: number;
}

export interface ImagePropertiesTable {
  image_id: string;
  name: string;
  value: string | null;
}

export interface ImageTagsTable {
  image_id: string;
  value: string;
}

export interface ImageLocationsTable {
  id: string;
  image_id: string;
  /** Order of the location in the image's list. */
  position: number;
  url: string;
  /** JSON object. */
  metadata: string;
  status: string;
  created_at: string;
}

export interface ImageMembersTable {
  id: string;
  image_id: string;
  member: string;
  status: string;
  created_at: string;
  updated_at: string;
}

export interface TasksTable {
  id: string;
  type: string;
  status: string;
  owner: string | null;
  image_id: string | null;
  user_id: string | null;
  request_id: string | null;
  /** JSON */
  input: string | null;
  /** JSON */
  result: string | null;
  message: string;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  deleted: number;
}

export interface MetadefNamespacesTable {
  id: string;
  namespace: string;
  display_name: string | null;
  description: string | null;
  visibility: string;
  protected: number;
  owner: string | null;
  created_at: string;
  updated_at: string;
}

/** Objects and properties of a namespace: a name and a JSON document. */
export interface MetadefItemsTable {
  id: string;
  namespace_id: string;
  name: string;
  /** JSON: the object (description, required, properties) or the property schema. */
  body: string;
  created_at: string;
  updated_at: string;
}

export interface MetadefTagsTable {
  id: string;
  namespace_id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface MetadefResourceTypesTable {
  id: string;
  name: string;
  protected: number;
  created_at: string;
  updated_at: string;
}

export interface MetadefNamespaceResourceTypesTable {
  namespace_id: string;
  resource_type_id: string;
  prefix: string | null;
  properties_target: string | null;
  created_at: string;
  updated_at: string;
}

export interface GlanceDB {
  metadef_namespaces: MetadefNamespacesTable;
  metadef_objects: MetadefItemsTable;
  metadef_properties: MetadefItemsTable;
  metadef_tags: MetadefTagsTable;
  metadef_resource_types: MetadefResourceTypesTable;
  metadef_namespace_resource_types: MetadefNamespaceResourceTypesTable;
  images: ImagesTable;
  image_properties: ImagePropertiesTable;
  image_tags: ImageTagsTable;
  image_locations: ImageLocationsTable;
  image_members: ImageMembersTable;
  tasks: TasksTable;
}
