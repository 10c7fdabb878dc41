/* main.c: the otklik command line: serve, migrate, demo, apikey, eval. */
#include "appeals/assist.h"
#include "appeals/scanner.h"
#include "appeals/submit.h"
#include "auth/session.h"
#include "core/err.h"
#include "core/log.h"
#include "http/server.h"
#include "notify/notify.h"
#include "open311/open311.h"
#include "registry/demo.h"
#include "registry/registry.h"
#include "store/store.h"
#include "text/eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage_main =
    "usage: otklik <command> [options]\n"
    "\n"
    "Otklik: a feedback platform for public bodies.\n"
    "\n"
    "commands:\n"
    "  serve     run the HTTP server (migrates the database first)\n"
    "  migrate   apply database migrations and reference data\n"
    "  demo      load the demo data (idempotent)\n"
    "  apikey    manage API keys (apikey create)\n"
    "  eval      evaluate the text engine on real appeals (eval routing|cluster)\n"
    "\n"
    "Run 'otklik <command> --help' for a command's options.\n"
    "--db takes sqlite:PATH or postgres://...; default $OTKLIK_DB or sqlite:var/otklik.db\n";

/* The demo: registry and accounts, then appeals in every status, then Open311 attributes. */
static int load_demo(struct store *s)
{
	int rc = demo_load(s);
	if (!rc)
		rc = appeals_demo_load(s);
	if (!rc)
		rc = open311_demo_load(s);
	return rc;
}

static const char *usage_serve =
    "usage: otklik serve [--listen HOST:PORT] [--db URL] [--demo] [--threads N]\n"
    "\n"
    "Migrates the database, loads the demo data with --demo, and serves HTTP until SIGTERM.\n"
    "  --listen HOST:PORT  default $OTKLIK_LISTEN or 127.0.0.1:8080\n"
    "  --db URL            sqlite:PATH or postgres://...\n"
    "  --demo              load the demo data set (idempotent)\n"
    "  --threads N         HTTP worker threads (default 32)\n"
    "environment: OTKLIK_PUBLIC_URL, OTKLIK_OIDC_ISSUER, OTKLIK_OIDC_CLIENT_ID,\n"
    "  OTKLIK_OIDC_CLIENT_SECRET, OTKLIK_OIDC_NAME, OTKLIK_COOKIE_SECURE=1, OTKLIK_LOG_LEVEL\n";

static const char *usage_migrate = "usage: otklik migrate [--db URL]\n"
                                   "\n"
                                   "Applies pending migrations and the reference data (regions of "
                                   "Russia with polygons).\n";

static const char *usage_demo = "usage: otklik demo [--db URL]\n"
                                "\n"
                                "Migrates and loads the demo data: a region with municipalities, "
                                "bodies, a rubricator,\ncompetence rules and demo accounts "
                                "(password otklik-demo). Running it again changes nothing.\n";

static const char *usage_apikey =
    "usage: otklik apikey create [--db URL] --name NAME [--org ID] [--scopes a,b]\n"
    "\n"
    "Creates an API key for an integration and prints it alone on the last line.\n"
    "  --scopes  roles the key acts with on its organisation (e.g. executor,operator)\n";

struct opts {
	const char *db, *listen, *name, *scopes;
	long long org;
	int threads;
	bool demo, help;
};

static int parse(int argc, char **argv, int start, struct opts *o, const char *usage)
{
	for (int i = start; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			o->help = true;
		} else if (!strcmp(a, "--demo")) {
			o->demo = true;
		} else if (v && !strcmp(a, "--db")) {
			o->db = v, i++;
		} else if (v && !strcmp(a, "--listen")) {
			o->listen = v, i++;
		} else if (v && !strcmp(a, "--name")) {
			o->name = v, i++;
		} else if (v && !strcmp(a, "--scopes")) {
			o->scopes = v, i++;
		} else if (v && !strcmp(a, "--org")) {
			o->org = atoll(v), i++;
		} else if (v && !strcmp(a, "--threads")) {
			o->threads = atoi(v), i++;
		} else {
			fprintf(stderr, "otklik: unknown or incomplete option %s\n\n%s", a, usage);
			return 2;
		}
	}
	if (!o->db)
		o->db = getenv("OTKLIK_DB");
	if (!o->db || !*o->db)
		o->db = "sqlite:var/otklik.db";
	return 0;
}

static int open_migrated(const char *db, struct store **s)
{
	int rc = store_open(db, 0, s);
	if (rc) {
		fprintf(stderr, "otklik: cannot open database %s\n", db);
		return rc;
	}
	int applied = 0;
	rc = store_migrate(*s, &applied);
	if (!rc)
		rc = registry_load_reference(*s);
	if (rc) {
		fprintf(stderr, "otklik: migration failed\n");
		store_close(*s);
		*s = NULL;
	}
	return rc;
}

static void env_copy(char *dst, size_t n, const char *name)
{
	const char *v = getenv(name);
	if (v)
		snprintf(dst, n, "%s", v);
}

static int cmd_serve(struct opts *o)
{
	struct server_config cfg = {0};
	const char *listen = o->listen ? o->listen : getenv("OTKLIK_LISTEN");
	if (server_parse_listen(&cfg, listen && *listen ? listen : "127.0.0.1:8080")) {
		fprintf(stderr, "otklik: --listen wants HOST:PORT\n");
		return 2;
	}
	cfg.threads = o->threads;
	snprintf(cfg.public_url, sizeof(cfg.public_url), "http://%s:%d", cfg.host, cfg.port);
	env_copy(cfg.public_url, sizeof(cfg.public_url), "OTKLIK_PUBLIC_URL");
	cfg.cookie_secure =
	    getenv("OTKLIK_COOKIE_SECURE") && !strcmp(getenv("OTKLIK_COOKIE_SECURE"), "1");
	env_copy(cfg.oidc.issuer, sizeof(cfg.oidc.issuer), "OTKLIK_OIDC_ISSUER");
	env_copy(cfg.oidc.client_id, sizeof(cfg.oidc.client_id), "OTKLIK_OIDC_CLIENT_ID");
	env_copy(cfg.oidc.client_secret, sizeof(cfg.oidc.client_secret),
	         "OTKLIK_OIDC_CLIENT_SECRET");
	env_copy(cfg.oidc.name, sizeof(cfg.oidc.name), "OTKLIK_OIDC_NAME");
	snprintf(cfg.oidc.redirect_uri, sizeof(cfg.oidc.redirect_uri), "%s/auth/oidc/callback",
	         cfg.public_url);
	if (getenv("OTKLIK_RATE_WRITE"))
		cfg.rate_write = atof(getenv("OTKLIK_RATE_WRITE"));
	if (getenv("OTKLIK_RATE_READ"))
		cfg.rate_read = atof(getenv("OTKLIK_RATE_READ"));

	struct store *s;
	if (open_migrated(o->db, &s))
		return 1;
	if (o->demo && load_demo(s)) {
		fprintf(stderr, "otklik: loading demo data failed\n");
		store_close(s);
		return 1;
	}
	/* Background work: the text engine, the deadline scanner, notification delivery.
	 * The text engine is optional: the server runs without suggestions if it fails. */
	if (assist_start(s))
		log_warn("assist", "text engine not started: no suggestions");
	if (scanner_start(s) || notify_start(s)) {
		fprintf(stderr, "otklik: background workers failed to start\n");
		assist_stop();
		scanner_stop();
		notify_stop();
		store_close(s);
		return 1;
	}
	int rc = server_run(&cfg, s);
	notify_stop();
	scanner_stop();
	assist_stop();
	store_close(s);
	return rc ? 1 : 0;
}

static int cmd_migrate(struct opts *o)
{
	struct store *s;
	if (open_migrated(o->db, &s))
		return 1;
	store_close(s);
	printf("migrated %s\n", o->db);
	return 0;
}

static int cmd_demo(struct opts *o)
{
	struct store *s;
	if (open_migrated(o->db, &s))
		return 1;
	int rc = load_demo(s);
	store_close(s);
	if (rc) {
		fprintf(stderr, "otklik: loading demo data failed\n");
		return 1;
	}
	printf("demo data loaded into %s (accounts: admin, citizen, executor, ...; password "
	       "otklik-demo)\n",
	       o->db);
	return 0;
}

static int cmd_apikey(struct opts *o)
{
	if (!o->name) {
		fprintf(stderr, "otklik: --name is required\n\n%s", usage_apikey);
		return 2;
	}
	struct store *s;
	if (open_migrated(o->db, &s))
		return 1;
	struct arena a;
	arena_init(&a, 4096);
	static const struct actor cli = {.roles = ROLE_ADMIN, .request_id = "cli"};
	int64_t id;
	const char *key, *message = NULL, *field = NULL;
	int rc = auth_apikey_create(s, &a, &cli, o->name, o->org, o->scopes, &id, &key, &message,
	                            &field);
	if (rc)
		fprintf(stderr, "otklik: %s\n", message ? message : "cannot create the key");
	else
		printf("created API key %lld \"%s\"; keep it secret, it is shown only once:\n%s\n",
		       (long long)id, o->name, key);
	arena_release(&a);
	store_close(s);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *lvl = getenv("OTKLIK_LOG_LEVEL");
	if (lvl)
		log_set_level(!strcmp(lvl, "debug")   ? LOG_DEBUG
		              : !strcmp(lvl, "warn")  ? LOG_WARN
		              : !strcmp(lvl, "error") ? LOG_ERROR
		                                      : LOG_INFO);
	if (auth_init()) {
		fprintf(stderr, "otklik: libsodium failed to initialise\n");
		return 1;
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_main, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "eval"))
		return eval_main(argc - 1, argv + 1);
	struct opts o = {0};
	const char *usage = !strcmp(cmd, "serve")     ? usage_serve
	                    : !strcmp(cmd, "migrate") ? usage_migrate
	                    : !strcmp(cmd, "demo")    ? usage_demo
	                    : !strcmp(cmd, "apikey")  ? usage_apikey
	                                              : NULL;
	if (!usage) {
		fprintf(stderr, "otklik: unknown command %s\n\n%s", cmd, usage_main);
		return 2;
	}
	int start = 2;
	if (!strcmp(cmd, "apikey")) {
		if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
			fputs(usage, stdout);
			return 0;
		}
		if (argc < 3 || strcmp(argv[2], "create")) {
			fprintf(stderr, "%s", usage);
			return 2;
		}
		start = 3;
	}
	int rc = parse(argc, argv, start, &o, usage);
	if (rc)
		return rc;
	if (o.help) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "serve"))
		return cmd_serve(&o);
	if (!strcmp(cmd, "migrate"))
		return cmd_migrate(&o);
	if (!strcmp(cmd, "demo"))
		return cmd_demo(&o);
	return cmd_apikey(&o);
}
