/**
 * The identity driver interface (keystone/identity/backends/base.py IdentityDriverBase): where
 * users, their credentials and groups live. An SQL database (./sql.ts) or a directory (an LDAP
 * driver) implements it. The driver checks credentials and keeps what it stores consistent
 * (hashing and, for SQL, upstream's [security_compliance] lockout, expiry and history, which
 * need the stored password state); the IdentityManager (../core.ts) keeps the API rules
 * (domains exist, password_regex on create and update, notifications, events).
 * Lookups return undefined for an unknown id or name; the Manager raises the NotFound.
 */
import type { Hints } from '../../lib/hints.js';

export interface UserRecord {
  id: string;
  name: string;
  domain_id: string;
  enabled: boolean;
  /** Keystone time format, or null. */
  password_expires_at: string | null;
  options: Record<string, unknown>;
  default_project_id?: string;
  /** Extra attributes given at create or update (email, description, ...), returned as given. */
  [extra: string]: unknown;
}

export interface GroupRecord {
  id: string;
  name: string;
  domain_id: string;
  description: string;
  [extra: string]: unknown;
}

/** A group of a user, with when the membership expires (null: it does not). */
export type GroupMembership = GroupRecord & { membership_expires_at: string | null };

export interface UserCreate {
  id: string;
  name: string;
  domain_id: string;
  enabled: boolean;
  default_project_id: string | null;
  options: Record<string, unknown>;
  extra: Record<string, unknown>;
  /** Absent: no password at all; null: a password entry that matches nothing. */
  password?: string | null;
  /** The password is a generated random secret (see MachineSecret in password-hashing.ts). */
  passwordIsMachineSecret?: boolean;
}

/** What an update changes; absent fields keep their value. */
export interface UserUpdate {
  name?: string;
  enabled?: boolean;
  default_project_id?: string | null;
  options?: Record<string, unknown>;
  extra?: Record<string, unknown>;
  /** Set by an administrator (not self-service). */
  password?: string | null;
  /** The password is a generated random secret (see MachineSecret in password-hashing.ts). */
  passwordIsMachineSecret?: boolean;
}

export interface GroupCreate {
  id: string;
  name: string;
  domain_id: string;
  description: string | null;
  extra: Record<string, unknown>;
}

export interface GroupUpdate {
  name: string;
  description: string | null;
  extra: Record<string, unknown>;
}

export interface IdentityDriver {
  /**
   * Checks a user's password: throws Unauthorized (unknown user or wrong password),
   * AccountLocked, UserDisabled or PasswordExpired (unless `allowExpired`), and returns the user.
   */
  authenticate(userId: string, password: string, opts?: { allowExpired?: boolean }): Promise<UserRecord>;
  /** Throws KeystoneConflict when the name is taken in the domain. */
  createUser(user: UserCreate): Promise<UserRecord>;
  getUser(userId: string): Promise<UserRecord | undefined>;
  getUserByName(name: string, domainId: string): Promise<UserRecord | undefined>;
  /** Users matching the hints; the driver applies them all (applyHints for what it cannot query). */
  listUsers(hints: Hints): Promise<UserRecord[]>;
  /** Throws KeystoneConflict when the new name is taken in the domain. */
  updateUser(userId: string, update: UserUpdate): Promise<UserRecord>;
  /**
   * A self-service password change (the old password was checked): the driver's rules for a
   * new password apply (SQL: lock_password, minimum age, password_regex, history).
   */
  changePassword(userId: string, newPassword: string): Promise<void>;
  /** The user and its memberships. */
  deleteUser(userId: string): Promise<void>;
  /** A deleted project is nobody's default project any more. */
  unsetDefaultProjectId(projectId: string): Promise<void>;
  /** Whether `password` is the user's current password, without lockout accounting (bootstrap). */
  passwordMatches(userId: string, password: string): Promise<boolean>;
  /** Remember that `password` was just set for the user, so passwordMatches is cheap next time (optional). */
  rememberPassword?(userId: string, password: string): Promise<void>;

  /** Throws KeystoneConflict when the name is taken in the domain. */
  createGroup(group: GroupCreate): Promise<GroupRecord>;
  getGroup(groupId: string): Promise<GroupRecord | undefined>;
  getGroupByName(name: string, domainId: string): Promise<GroupRecord | undefined>;
  listGroups(hints: Hints): Promise<GroupRecord[]>;
  /** Throws KeystoneConflict when the new name is taken in the domain. */
  updateGroup(groupId: string, update: GroupUpdate): Promise<GroupRecord>;
  /** The group and its memberships. */
  deleteGroup(groupId: string): Promise<void>;
  /** Adding an existing member is not an error. */
  addUserToGroup(userId: string, groupId: string): Promise<void>;
  checkUserInGroup(userId: string, groupId: string): Promise<boolean>;
  /** Whether the user was a member. */
  removeUserFromGroup(userId: string, groupId: string): Promise<boolean>;
  listUsersInGroup(groupId: string, hints: Hints): Promise<UserRecord[]>;
  listGroupsForUser(userId: string, hints: Hints): Promise<GroupMembership[]>;
}
