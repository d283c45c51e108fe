/* Alter's field limits (alter.md §3–§7): what the validators enforce, and what the OpenAPI
 * document mock/openapi/alter.json states.  tests/test_openapi.c compares the two, so a limit
 * cannot change in one place only.  Also compared there: ALTER_NAME_MAX,
 * ALTER_DISPLAY_NAME_MAX, ALTER_METADATA_MAX (agent_fields.h), VAULT_URL_MAX, VAULT_REASON_MAX
 * (vault.h), PROXY_HEADERS_MAX, PROXY_HEADER_VALUE_MAX (proxy_call.h), TRACE_VALUE_MAX (trace.h),
 * IDEMPOTENCY_KEY_MAX (idempotency.h). */
#ifndef ALTER_LIMITS_H
#define ALTER_LIMITS_H

#define ALTER_LIST_LIMIT_MAX      1000 /* agents and grants lists */
#define ALTER_LIST_LIMIT_DEFAULT  100
#define ALTER_AUDIT_LIMIT_MAX     1000
#define ALTER_AUDIT_LIMIT_DEFAULT 100

/* an agent's scopes: {provider: [scope...]} */
#define ALTER_PROVIDERS_MAX       64
#define ALTER_PROVIDER_NAME_MAX   64
#define ALTER_SCOPES_PER_PROVIDER 256
#define ALTER_SCOPE_NAME_MAX      256

#define ALTER_KEY_NAME_MAX 100

#define POLICY_RATE_LIMIT_MAX 1000000 /* policy.rate_limit_rpm */
#define POLICY_ALLOWLIST_MAX  100     /* policy.ip_allowlist entries */

#define VAULT_CONTEXT_MAX 8192 /* bytes of compact JSON */

#endif
