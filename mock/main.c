/* agentmock: flags → config → serve until SIGINT/SIGTERM. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alsorn/auth.h"
#include <curl/curl.h>

#include "alter/approval.h"
#include "alter/audit_log.h"
#include "alter/proxy_allow.h"
#include "alter/proxy_call.h"
#include "core/cors.h"
#include "core/data_dir.h"
#include "core/json_alloc.h"
#include "core/log.h"
#include "core/random.h"
#include "delivery/allowlist.h"
#include "delivery/forward.h"
#include "sandbox/admin.h"
#include "sandbox/faults.h"
#include "sandbox/fixtures.h"
#include "sandbox/idempotency.h"
#include "sandbox/journal.h"
#include "sandbox/rate_limit.h"
#include "sandbox/snapshot.h"
#include "server.h"
#include "store/store.h"
#include "store/webhook.h"
#include "tenant_parts.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: agentmock [options]\n"
            "  --listen HOST:PORT   address to serve (default 127.0.0.1:4010; port 0 = any free)\n"
            "  --threads N          worker threads = connections served at once, idle\n"
            "                       keep-alive ones included (default 512; see mock/README.md)\n"
            "  --keep-alive-timeout-ms N  close a keep-alive connection idle this long\n"
            "                       (default 5000)\n"
            "  --request-timeout-ms N  longest wait for a request's head, and for each read\n"
            "                       of its body or write of its reply (default 5000)\n"
            "  --idempotency-wait-ms N  a repeat of a running Alsorn POST waits this long,\n"
            "                       then 409 idempotency_key_in_use (default 10000)\n"
            "  --seed N             deterministic ids, keys and secrets\n"
            "  --fixtures DIR       load DIR/trust-model.json and DIR/seed.json at start\n"
            "                       (default: share/agentmock/fixtures of the installed tree,\n"
            "                       else ./fixtures)\n"
            "  --no-fixtures        start empty\n"
            "  --state FILE         load FILE at start (instead of DIR/seed.json) if it exists;\n"
            "                       save to it on shutdown and on POST /_mock/snapshot\n"
            "  --snapshot-write-delay-us N  slow each record of a save (crash tests)\n"
            "  --unlock-delay-us N  sleep after each tenant unlock (race tests)\n"
            "  --max-body BYTES     largest request body (default 1048576)\n"
            "  --log-level LEVEL    error, warn, info (default) or debug\n"
            "  --admin-token TOKEN  /_mock/* (but health) needs X-Mock-Admin-Token or Bearer TOKEN\n"
            "  --journal-size N     requests kept by GET /_mock/requests (default 10000; 0 = off)\n"
            "  --anon-rate-limit N  requests per hour per client address without a valid Alsorn\n"
            "                       key (default 100)\n"
            "  --webhook-allow LIST hosts webhooks may be sent to: comma-separated host names,\n"
            "                       *.domain, addresses and CIDR blocks\n"
            "                       (default 127.0.0.0/8,::1,localhost: loopback only)\n"
            "  --webhook-forward URL every organization's deliveries go to URL (on the allow-list)\n"
            "                       instead of each endpoint's URL, like stripe listen --forward-to\n"
            "  --cors-origin ORIGIN browsers may call from ORIGIN only (default: any origin)\n"
            "  --no-cors            no CORS headers: browsers on other origins are refused\n"
            "  --webhook-retry-base-ms MS"
            "                       back-off base of webhook retries: base x 2^n, 8 attempts\n"
            "                       (default 60000; orgs can override it, see the README)\n"
            "  --proxy-timeout-ms N longest upstream call of Alter's proxy mode, and its\n"
            "                       default (default 10000; a call may ask for less)\n"
            "  --proxy-allow LIST   hosts the proxy may call: comma-separated 'loopback',\n"
            "                       address blocks (10.0.0.0/8) and host names\n"
            "                       (default loopback)\n"
            "  --version            print the version and exit\n"
            "  --alter-audit-max N  audit rows kept per Alter app; the oldest are dropped past\n"
            "                       it, the chain verifying from the last dropped row's hash\n"
            "                       (default 10000)\n"
            "  --webhook-log-max N  delivery attempts kept per webhook endpoint (default 1000)\n"
            "  --webhook-queue-max N\n"
            "                       events queued per webhook endpoint behind a slow or failing\n"
            "                       receiver; later ones are dropped (default 10000)\n"
            "  --help               this text\n"
            "Plain HTTP only: Debian's CivetWeb 1.15 crashes on TLS with OpenSSL 3.\n");
}

static void print_banner(const char *url, const cJSON *orgs) {
    printf("agentmock listening on %s\n", url);
    printf("dashboard %s/_mock/ui\n", url);
    for (const cJSON *o = orgs ? orgs->child : NULL; o; o = o->next) {
        const cJSON *keys = cJSON_GetObjectItem(o, "keys");
        printf("organization %s (%s, plan %s, %d agents)\n",
               cJSON_GetObjectItem(o, "name")->valuestring, cJSON_GetObjectItem(o, "id")->valuestring,
               cJSON_GetObjectItem(o, "plan")->valuestring,
               cJSON_GetObjectItem(o, "agents")->valueint);
        for (const cJSON *k = keys ? keys->child : NULL; k; k = k->next)
            printf("  %-5s key  %s\n", k->string, k->valuestring);
        const cJSON *alter = cJSON_GetObjectItem(o, "alter");
        if (!alter) continue;
        printf("  alter app %s\n", cJSON_GetObjectItem(alter, "app_id")->valuestring);
        printf("    app key    %s\n", cJSON_GetObjectItem(alter, "app_key")->valuestring);
        const cJSON *agents = cJSON_GetObjectItem(alter, "agents");
        for (const cJSON *a = agents ? agents->child : NULL; a; a = a->next)
            printf("    agent key  %s  (%s, %s)\n", cJSON_GetObjectItem(a, "api_key")->valuestring,
                   cJSON_GetObjectItem(a, "name")->valuestring,
                   cJSON_GetObjectItem(a, "id")->valuestring);
        const cJSON *grants = cJSON_GetObjectItem(alter, "grants");
        for (const cJSON *g = grants ? grants->child : NULL; g; g = g->next)
            printf("    grant      %s  (%s, %s)\n", cJSON_GetObjectItem(g, "grant_id")->valuestring,
                   cJSON_GetObjectItem(g, "provider_id")->valuestring,
                   cJSON_GetObjectItem(g, "principal_type")->valuestring);
    }
    fflush(stdout);
}

/* The fixtures of an installed agentmock are those installed with it; run from the source
 * tree it finds ./fixtures; the configured prefix is the last resort.  NULL if none exists. */
static const char *default_fixtures(char *buf, size_t size) {
    if (data_dir_find("fixtures", NULL, buf, size)) return buf;
    struct stat st;
    if (stat("fixtures", &st) == 0 && S_ISDIR(st.st_mode)) return "fixtures";
    if (data_dir_find("fixtures", AGENTMOCK_DATADIR, buf, size)) return buf;
    return NULL;
}

/* A numeric flag's value: an integer from min to max, else false after saying which values the
 * flag takes ("agentmock: --threads takes 1 to 4096", then unit when it is not ""). */
static bool flag_number(const char *flag, const char *arg, long long min, long long max,
                        const char *unit, long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (*end || !*arg || errno == ERANGE || v < min || v > max) {
        fprintf(stderr, "agentmock: --%s takes %lld to %lld%s\n", flag, min, max, unit);
        return false;
    }
    *out = v;
    return true;
}

int main(int argc, char **argv) {
    json_alloc_install(); /* before the first cJSON allocation */
    /* Fixed, where glibc would move them: it raises its mmap threshold to the largest block
     * freed (up to 32 MB) and its trim threshold to twice that, so after one large reply a
     * worker's heap kept the pages of every large reply after it.  16 connections that each
     * read a 50 MB journal page left the mock at 2.4 GB; with these and the trim after a
     * large reply (core/http.c), at 235 MB (0.6 GB with the trim alone, 1.3 GB without it). */
    mallopt(M_MMAP_THRESHOLD, REPLY_BUFFER_KEEP);
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
    /* one CivetWeb worker per open connection: enough workers that a few hundred idle
     * connections leave room, and short timeouts that free the workers of idle or stalled
     * ones (the numbers and the trade-off: mock/README.md) */
    struct server_config cfg = {.listen = "127.0.0.1:4010", .threads = 512, .max_body = 1 << 20,
                                .keep_alive_timeout_ms = 5000, .request_timeout_ms = 5000,
                                .webhook_retry_base_ms = 60000};
    const char *webhook_allow = NULL, *webhook_forward = NULL;
    const char *fixtures = NULL;
    bool fixtures_set = false; /* --fixtures or --no-fixtures given */
    char fixtures_buf[4096];
    long journal_size = JOURNAL_DEFAULT_SIZE;
    long alter_audit_max = ALTER_AUDIT_MAX_DEFAULT, webhook_log_cap = WEBHOOK_LOG_MAX_DEFAULT,
         webhook_queue_cap = WEBHOOK_QUEUE_MAX_DEFAULT;
    enum { OPT_LISTEN = 1, OPT_THREADS, OPT_SEED, OPT_FIXTURES, OPT_NO_FIXTURES, OPT_MAX_BODY,
           OPT_LOG_LEVEL, OPT_STATE, OPT_SNAPSHOT_DELAY, OPT_WEBHOOK_ALLOW, OPT_WEBHOOK_RETRY_BASE,
           OPT_ADMIN_TOKEN, OPT_JOURNAL_SIZE, OPT_ANON_RATE_LIMIT, OPT_PROXY_TIMEOUT, OPT_PROXY_ALLOW,
           OPT_IDEMPOTENCY_WAIT, OPT_KEEP_ALIVE_TIMEOUT, OPT_REQUEST_TIMEOUT,
           OPT_WEBHOOK_FORWARD, OPT_CORS_ORIGIN, OPT_NO_CORS, OPT_HELP, OPT_VERSION,
           OPT_ALTER_AUDIT_MAX, OPT_WEBHOOK_LOG_MAX, OPT_WEBHOOK_QUEUE_MAX, OPT_UNLOCK_DELAY };
    static const struct option options[] = {
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"seed", required_argument, NULL, OPT_SEED},
        {"fixtures", required_argument, NULL, OPT_FIXTURES},
        {"no-fixtures", no_argument, NULL, OPT_NO_FIXTURES},
        {"max-body", required_argument, NULL, OPT_MAX_BODY},
        {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
        {"admin-token", required_argument, NULL, OPT_ADMIN_TOKEN},
        {"journal-size", required_argument, NULL, OPT_JOURNAL_SIZE},
        {"anon-rate-limit", required_argument, NULL, OPT_ANON_RATE_LIMIT},
        {"state", required_argument, NULL, OPT_STATE},
        {"snapshot-write-delay-us", required_argument, NULL, OPT_SNAPSHOT_DELAY},
        {"webhook-allow", required_argument, NULL, OPT_WEBHOOK_ALLOW},
        {"webhook-retry-base-ms", required_argument, NULL, OPT_WEBHOOK_RETRY_BASE},
        {"proxy-timeout-ms", required_argument, NULL, OPT_PROXY_TIMEOUT},
        {"proxy-allow", required_argument, NULL, OPT_PROXY_ALLOW},
        {"idempotency-wait-ms", required_argument, NULL, OPT_IDEMPOTENCY_WAIT},
        {"keep-alive-timeout-ms", required_argument, NULL, OPT_KEEP_ALIVE_TIMEOUT},
        {"request-timeout-ms", required_argument, NULL, OPT_REQUEST_TIMEOUT},
        {"webhook-forward", required_argument, NULL, OPT_WEBHOOK_FORWARD},
        {"cors-origin", required_argument, NULL, OPT_CORS_ORIGIN},
        {"no-cors", no_argument, NULL, OPT_NO_CORS},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {"alter-audit-max", required_argument, NULL, OPT_ALTER_AUDIT_MAX},
        {"webhook-log-max", required_argument, NULL, OPT_WEBHOOK_LOG_MAX},
        {"webhook-queue-max", required_argument, NULL, OPT_WEBHOOK_QUEUE_MAX},
        {"unlock-delay-us", required_argument, NULL, OPT_UNLOCK_DELAY},
        {NULL, 0, NULL, 0},
    };
    int opt, long_index = 0;
    char *end;
    char err[512];
    long long v;
    proxy_allow_set(PROXY_ALLOW_DEFAULT, err, sizeof err);
    while ((opt = getopt_long(argc, argv, "", options, &long_index)) != -1) {
        const char *flag = options[long_index].name; /* only long options: the index names it */
        switch (opt) {
        case OPT_LISTEN: cfg.listen = optarg; break;
        case OPT_THREADS:
            if (!flag_number(flag, optarg, 1, 4096, "", &v)) return 2;
            cfg.threads = (int)v;
            break;
        case OPT_SEED: {
            /* strtoull alone would take "-1" as 2^64-1 and skip leading blanks */
            errno = 0;
            unsigned long long seed = strtoull(optarg, &end, 10);
            if (*end || !isdigit((unsigned char)*optarg) || errno == ERANGE) {
                fprintf(stderr, "agentmock: --seed takes a non-negative integer\n");
                return 2;
            }
            random_seed(seed);
            break;
        }
        case OPT_FIXTURES: fixtures = optarg, fixtures_set = true; break;
        case OPT_NO_FIXTURES: fixtures = NULL, fixtures_set = true; break;
        case OPT_MAX_BODY:
            if (!flag_number(flag, optarg, 1024, 1LL << 30, " bytes", &v)) return 2;
            cfg.max_body = (size_t)v;
            break;
        case OPT_LOG_LEVEL:
            if (log_set_level_name(optarg) != 0) {
                fprintf(stderr, "agentmock: --log-level takes error, warn, info or debug\n");
                return 2;
            }
            break;
        case OPT_STATE: snapshot_set_path(optarg); break;
        case OPT_SNAPSHOT_DELAY:
            if (!flag_number(flag, optarg, 0, 1000000, "", &v)) return 2;
            snapshot_set_write_delay_us((long)v);
            break;
        case OPT_WEBHOOK_ALLOW: webhook_allow = optarg; break;
        case OPT_WEBHOOK_FORWARD: webhook_forward = optarg; break;
        case OPT_CORS_ORIGIN:
            if (cors_configure(optarg, err, sizeof err) != 0) {
                fprintf(stderr, "agentmock: --cors-origin: %s\n", err);
                return 2;
            }
            break;
        case OPT_NO_CORS: cors_configure(NULL, err, sizeof err); break;
        case OPT_WEBHOOK_RETRY_BASE:
            if (!flag_number(flag, optarg, 1, 3600000, "", &v)) return 2;
            cfg.webhook_retry_base_ms = v;
            break;
        case OPT_ADMIN_TOKEN:
            if (!*optarg) {
                fprintf(stderr, "agentmock: --admin-token must not be empty\n");
                return 2;
            }
            mock_admin_token = optarg;
            break;
        case OPT_JOURNAL_SIZE:
            if (!flag_number(flag, optarg, 0, 1000000, "", &v)) return 2;
            journal_size = (long)v;
            break;
        case OPT_ANON_RATE_LIMIT:
            if (!flag_number(flag, optarg, 1, 1000000000, "", &v)) return 2;
            alsorn_unauthenticated_rate_limit = (long)v;
            break;
        case OPT_PROXY_TIMEOUT:
            if (!flag_number(flag, optarg, 1, 600000, "", &v)) return 2;
            proxy_timeout_ms = (long)v;
            break;
        case OPT_PROXY_ALLOW:
            if (proxy_allow_set(optarg, err, sizeof err) != 0) {
                fprintf(stderr, "agentmock: --proxy-allow: %s\n", err);
                return 2;
            }
            break;
        case OPT_IDEMPOTENCY_WAIT:
            if (!flag_number(flag, optarg, 1, 600000, "", &v)) return 2;
            idempotency_wait_ms = (long)v;
            break;
        case OPT_KEEP_ALIVE_TIMEOUT:
        case OPT_REQUEST_TIMEOUT:
            if (!flag_number(flag, optarg, 100, 600000, "", &v)) return 2;
            *(opt == OPT_KEEP_ALIVE_TIMEOUT ? &cfg.keep_alive_timeout_ms
                                            : &cfg.request_timeout_ms) = (int)v;
            break;
        case OPT_ALTER_AUDIT_MAX:
        case OPT_WEBHOOK_LOG_MAX:
        case OPT_WEBHOOK_QUEUE_MAX:
            if (!flag_number(flag, optarg, 1, 10000000, "", &v)) return 2;
            *(opt == OPT_ALTER_AUDIT_MAX ? &alter_audit_max
              : opt == OPT_WEBHOOK_LOG_MAX ? &webhook_log_cap : &webhook_queue_cap) = (long)v;
            break;
        case OPT_UNLOCK_DELAY:
            if (!flag_number(flag, optarg, 0, 100000, "", &v)) return 2;
            atomic_store(&tenant_unlock_delay_us, (int)v);
            break;
        case OPT_HELP: usage(stdout); return 0;
        case OPT_VERSION: printf("agentmock %s\n", AGENTMOCK_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "agentmock: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }

    if (!fixtures_set && !(fixtures = default_fixtures(fixtures_buf, sizeof fixtures_buf))) {
        fprintf(stderr, "agentmock: no fixtures directory: none installed in %s and no ./fixtures "
                        "here; pass --fixtures DIR, or --no-fixtures to start empty\n",
                AGENTMOCK_DATADIR "/fixtures");
        return 2;
    }

    /* a state that could not be saved at shutdown would be lost silently: refuse now */
    if (snapshot_path() && snapshot_path_check(snapshot_path(), err, sizeof err) != 0) {
        fprintf(stderr, "agentmock: --state: %s\n", err);
        snapshot_set_path(NULL);
        return 2;
    }

    char why[256];
    if (allowlist_configure(webhook_allow, why, sizeof why) != 0) {
        fprintf(stderr, "agentmock: --webhook-allow: %s\n", why);
        return 2;
    }
    if (webhook_forward && delivery_forward_configure(webhook_forward, why, sizeof why) != 0) {
        fprintf(stderr, "agentmock: --webhook-forward: %s\n", why);
        allowlist_free();
        return 2;
    }

    /* Block the stop signals before any thread starts, so only sigwait below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread: it is not thread-safe */
    store_init(&tenant_parts);
    journal_init((size_t)journal_size);
    alter_audit_log_set_max((size_t)alter_audit_max); /* before a --state load applies them */
    webhook_set_caps((size_t)webhook_log_cap, (size_t)webhook_queue_cap);
    cJSON *banner = NULL;
    int loaded = snapshot_path() ? snapshot_load_file(snapshot_path(), err, sizeof err) : 0;
    if (loaded < 0) {
        fprintf(stderr, "agentmock: cannot load state: %s\n", err);
        return 1;
    }
    if (loaded) {
        /* the saved state is the state (its keys exist only as hashes); the trust model it
         * was scored with is configuration and still comes from the fixtures */
        if (fixtures && fixtures_load_trust_model(fixtures, err, sizeof err) != 0) {
            fprintf(stderr, "agentmock: cannot load the trust model: %s\n", err);
            store_clear();
            allowlist_free();
            return 1;
        }
        fixtures = NULL;
        fprintf(stderr, "agentmock: state loaded from %s\n", snapshot_path());
    }
    if (fixtures) {
        banner = fixtures_load(fixtures, err, sizeof err);
        if (!banner) {
            fprintf(stderr, "agentmock: cannot load fixtures from %s: %s (pass --fixtures DIR, or "
                            "--no-fixtures to start empty)\n", fixtures, err);
            store_clear();
            allowlist_free();
            return 1;
        }
    }
    char url[128];
    struct server *server = server_start(&cfg, url, sizeof url);
    if (!server) {
        cJSON_Delete(banner);
        store_clear();
        allowlist_free();
        return 1;
    }
    print_banner(url, banner);
    cJSON_Delete(banner);

    int sig = 0;
    sigwait(&stop, &sig);
    log_info("stopping on signal %d", sig);
    server_stop(server);
    alter_approval_executions_wait(); /* approved calls still running: their timeout bounds it */
    int rc = 0;
    if (snapshot_path() && snapshot_save_file(snapshot_path(), err, sizeof err) != 0) {
        fprintf(stderr, "agentmock: state not saved: %s\n", err);
        rc = 1;
    }
    store_clear();
    snapshot_set_path(NULL);
    allowlist_free();
    delivery_forward_configure(NULL, why, sizeof why);
    journal_shutdown();
    faults_clear(NULL);
    rate_limit_forget(NULL);
    curl_global_cleanup();
    return rc;
}
