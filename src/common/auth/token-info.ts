/**
 * What a validated token says about its bearer: the keystonemiddleware view of a token
 * (the X-User-Id / X-Project-Id / X-Roles ... headers of upstream, as one typed object).
 */
export interface TokenInfo {
  userId: string;
  userName: string;
  userDomainId: string;
  userDomainName: string;
  /** Project scope. */
  projectId?: string;
  projectName?: string;
  projectDomainId?: string;
  projectDomainName?: string;
  /** Domain scope. */
  domainId?: string;
  domainName?: string;
  /** System scope (`{"system": {"all": true}}`). */
  system: boolean;
  roles: string[];
  roleIds: string[];
  /** Auth methods used to obtain the token ('password', 'token', 'application_credential'). */
  methods: string[];
  expiresAt: string;
  issuedAt: string;
  auditIds: string[];
  isAdminProject: boolean;
  applicationCredentialId?: string;
  trustId?: string;
}

/** The backend of the auth middleware: in-process Keystone in all-in-one, HTTP in scale-out. */
export interface TokenValidator {
  /**
   * Validate a token. Throws Unauthorized (or NotFound as Keystone does for an unknown subject
   * token) when it is invalid, expired (unless allowExpired) or revoked.
   */
  validate(token: string, opts?: { allowExpired?: boolean }): Promise<TokenInfo>;
  /**
   * The validation of `token` when it is at hand without any lookup (a cache hit that
   * `validate` would answer as it is), else undefined: lets the auth hook serve the common
   * case without a promise.
   */
  cachedInfo?(token: string): TokenInfo | undefined;
}
