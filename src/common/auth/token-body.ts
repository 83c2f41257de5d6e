/** Turns Keystone's token response body (`{"token": {...}}`) into a TokenInfo. */
import type { TokenInfo } from './token-info.js';

interface Named { id: string; name: string; domain?: { id: string; name: string } }

export interface KeystoneTokenBody {
  methods: string[];
  user: Named;
  project?: Named;
  domain?: { id: string; name: string };
  system?: { all?: boolean };
  roles?: Array<{ id: string; name: string }>;
  expires_at: string;
  issued_at: string;
  audit_ids: string[];
  is_admin_project?: boolean;
  application_credential?: { id: string };
  'OS-TRUST:trust'?: { id: string };
}

export function tokenInfoFromBody(t: KeystoneTokenBody): TokenInfo {
  const info: TokenInfo = {
    userId: t.user.id,
    userName: t.user.name,
    userDomainId: t.user.domain?.id ?? '',
    userDomainName: t.user.domain?.name ?? '',
    system: Boolean(t.system?.all),
    roles: (t.roles ?? []).map((r) => r.name),
    roleIds: (t.roles ?? []).map((r) => r.id),
    methods: t.methods,
    expiresAt: t.expires_at,
    issuedAt: t.issued_at,
    auditIds: t.audit_ids,
    isAdminProject: t.is_admin_project ?? false,
  };
  if (t.project) {
    info.projectId = t.project.id;
    info.projectName = t.project.name;
    info.projectDomainId = t.project.domain?.id ?? '';
    info.projectDomainName = t.project.domain?.name ?? '';
  }
  if (t.domain) {
    info.domainId = t.domain.id;
    info.domainName = t.domain.name;
  }
  if (t.application_credential) info.applicationCredentialId = t.application_credential.id;
  if (t['OS-TRUST:trust']) info.trustId = t['OS-TRUST:trust'].id;
  return info;
}
