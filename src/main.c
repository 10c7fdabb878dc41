/* main.c: the otklik command line: serve, migrate, demo, apikey, eval, import, gen, bench-raw,
 * backup. */
#include "analytics/rollup.h"
#include "analytics/eval_spikes.h"
#include "appeals/assist.h"
#include "appeals/demo_regions.h"
#include "projects/project.h"
#include "appeals/gen.h"
#include "appeals/import_spb.h"
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
#include "store/analytics.h"
#include "store/backup.h"
#include "store/store.h"
#include "text/eval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *usage_main =
    "usage: otklik <command> [options]\n"
    "\n"
    "Otklik: a feedback platform for public bodies.\n"
    "\n"
    "commands:\n"
    "  serve     run the HTTP server (migrates the database first)\n"
    "  migrate   apply database migrations and reference data\n"
    "  demo      load the demo data (idempotent)\n"
    "  apikey    manage API keys (apikey create, list, revoke)\n"
    "  eval      evaluate the text engine on real appeals (eval routing|cluster)\n"
    "  import    load real appeals (import nash-spb FILE.jsonl.gz)\n"
    "  gen       fill the database with synthetic appeals (gen appeals --count N)\n"
    "  bench-raw measure raw appeal inserts into the database (the ceiling for intake)\n"
    "  backup    copy a running SQLite database consistently (backup --db URL FILE)\n"
    "  analytics rebuild the dashboard rollups from the appeals (analytics rebuild)\n"
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
	/* @demo-regions */
	if (!rc)
		rc = demo_regions_load(s);
	if (!rc)
		rc = projects_demo_load(s);
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
    "       otklik apikey list [--db URL]\n"
    "       otklik apikey revoke [--db URL] --id ID\n"
    "\n"
    "create  makes an API key for an integration and prints it alone on the last line.\n"
    "        --scopes: roles the key acts with on its organisation (e.g. executor,operator)\n"
    "list    shows every key: id, name, first characters, organisation, scopes, state.\n"
    "revoke  stops a key: running servers refuse it within a second.\n";

static const char *usage_import =
    "usage: otklik import nash-spb [--db URL] [--batch N] FILE.jsonl.gz\n"
    "\n"
    "Loads appeals of the St Petersburg portal «Наш Санкт-Петербург» (one JSON object per\n"
    "line, gzip or plain): districts of RU-SPE, categories, topics, bodies and rules by code,\n"
    "then the appeals with their original times, answers, re-routings and timeline.\n"
    "Appeals imported before (same portal id) are skipped. The last line is a JSON summary.\n"
    "  --batch N  appeals per transaction (default 250)\n";

static const char *usage_gen =
    "usage: otklik gen appeals [--db URL] --count N [--orgs K] [--spread DAYS]\n"
    "\n"
    "Inserts N synthetic appeals (mixed statuses, ~60 % open) spread over K synthetic bodies\n"
    "gen-org-0001..K (default 200) in region RU-MOW, for load tests. The last line is a JSON\n"
    "summary with first_org: the id of gen-org-0001 (give an executor key --org that id).\n"
    "  --spread DAYS  instead, a country's flow for the dashboard benchmark: appeals over every\n"
    "                 region (4 synthetic municipalities and 3 bodies each), 60 topics and the\n"
    "                 last DAYS days, region-dependent speed and satisfaction; then run\n"
    "                 'otklik analytics rebuild'.\n";

static const char *usage_bench_raw =
    "usage: otklik bench-raw [--db URL] [--rows N] [--batch B]\n"
    "\n"
    "Inserts N appeal rows (default 20000) on one connection, B rows per transaction\n"
    "(default 1: a durable commit per row), and prints {\"rows\",\"batch\",\"rows_per_s\"}.\n";

static const char *usage_backup =
    "usage: otklik backup [--db URL] [--force] FILE\n"
    "\n"
    "Writes a consistent copy of the SQLite database to FILE while the server keeps running\n"
    "(SQLite's online backup API, in steps; writers are not blocked). FILE appears only when\n"
    "complete. Prints {\"file\",\"pages\",\"bytes\",\"ms\",\"steps\",\"restarts\",\"snapshot\"}.\n"
    "PostgreSQL: use pg_dump (the error names the command; docs/backup.md).\n"
    "  --force  overwrite FILE if it exists\n";

static const char *usage_analytics =
    "usage: otklik analytics rebuild [--db URL]\n"
    "\n"
    "Recomputes the rollups of the dashboards (facts per appeal, sums by territory, sector,\n"
    "body and day/month) from the appeals, e.g. after a bulk load. The server does it by\n"
    "itself at start when they were never built. Prints {\"appeals\",\"seconds\"}.\n";

struct opts {
	const char *db, *listen, *name, *scopes;
	const char *sub; /* apikey: create, list, revoke */
	long long org, id;
	int threads;
	bool demo, help, force;
	const char *file;
	long long count, rows;
	int orgs, batch, spread;
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
		} else if (usage == usage_backup && !strcmp(a, "--force")) {
			o->force = true;
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
		} else if (v && usage == usage_apikey && !strcmp(a, "--id")) {
			o->id = atoll(v), i++;
		} else if (v && !strcmp(a, "--threads")) {
			o->threads = atoi(v), i++;
		} else if (v && !strcmp(a, "--count")) {
			o->count = atoll(v), i++;
		} else if (v && !strcmp(a, "--rows")) {
			o->rows = atoll(v), i++;
		} else if (v && !strcmp(a, "--orgs")) {
			o->orgs = atoi(v), i++;
		} else if (v && usage == usage_gen && !strcmp(a, "--spread")) {
			o->spread = atoi(v), i++;
			if (o->spread < 1)
				o->spread = -1;
		} else if (v && !strcmp(a, "--batch")) {
			o->batch = atoi(v), i++;
		} else if ((usage == usage_import || usage == usage_backup) && a[0] != '-' &&
		           !o->file) {
			o->file = a;
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
	if (scanner_start(s) || notify_start(s) || rollup_start(s)) {
		fprintf(stderr, "otklik: background workers failed to start\n");
		rollup_stop();
		assist_stop();
		scanner_stop();
		notify_stop();
		store_close(s);
		return 1;
	}
	int rc = server_run(&cfg, s);
	rollup_stop();
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

static int apikey_create(struct store *s, struct arena *a, const struct actor *cli, struct opts *o)
{
	int64_t id;
	const char *key, *message = NULL, *field = NULL;
	int rc =
	    auth_apikey_create(s, a, cli, o->name, o->org, o->scopes, &id, &key, &message, &field);
	if (rc)
		fprintf(stderr, "otklik: %s\n", message ? message : "cannot create the key");
	else
		printf("created API key %lld \"%s\"; keep it secret, it is shown only once:\n%s\n",
		       (long long)id, o->name, key);
	return rc;
}

/* "2026-11-22 19:33 UTC" for a time in ms */
static const char *utc_minute(struct arena *a, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm);
	return arena_strdup(a, buf);
}

static int apikey_list(struct store *s, struct arena *a)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct store_rows r;
	rc = store_apikey_list(c, a, &r);
	store_conn_put(s, c);
	if (rc) {
		fprintf(stderr, "otklik: cannot read the keys\n");
		return rc;
	}
	printf("%-6s %-10s %-8s %-30s %-20s %s\n", "id", "key", "org", "scopes", "state", "name");
	for (size_t i = 0; i < r.nrows; i++) {
		const char *org = store_rows_get(&r, i, 3), *scopes = store_rows_get(&r, i, 4);
		printf("%-6s %-10s %-8s %-30s %-20s %s\n", store_rows_get(&r, i, 0),
		       store_rows_get(&r, i, 2), org ? org : "-", scopes && *scopes ? scopes : "-",
		       store_rows_isnull(&r, i, 6)
		           ? "active"
		           : arena_printf(a, "revoked %s", utc_minute(a, store_rows_i64(&r, i, 6))),
		       store_rows_get(&r, i, 1));
	}
	return 0;
}

static int apikey_revoke(struct store *s, struct arena *a, const struct actor *cli, struct opts *o)
{
	const char *message = NULL;
	int rc = auth_apikey_revoke(s, a, cli, o->id, &message);
	if (rc)
		fprintf(stderr, "otklik: %s\n", message ? message : "cannot revoke the key");
	else
		printf("revoked API key %lld; running servers refuse it within a second\n",
		       (long long)o->id);
	return rc;
}

static int cmd_apikey(struct opts *o)
{
	bool create = !strcmp(o->sub, "create"), revoke = !strcmp(o->sub, "revoke");
	if (create && !o->name) {
		fprintf(stderr, "otklik: --name is required\n\n%s", usage_apikey);
		return 2;
	}
	if (revoke && o->id <= 0) {
		fprintf(stderr, "otklik: --id is required\n\n%s", usage_apikey);
		return 2;
	}
	struct store *s;
	if (open_migrated(o->db, &s))
		return 1;
	struct arena a;
	arena_init(&a, 4096);
	static const struct actor cli = {.roles = ROLE_ADMIN, .request_id = "cli"};
	int rc = create   ? apikey_create(s, &a, &cli, o)
	         : revoke ? apikey_revoke(s, &a, &cli, o)
	                  : apikey_list(s, &a);
	arena_release(&a);
	store_close(s);
	return rc ? 1 : 0;
}

static int cmd_import(struct opts *o)
{
	if (!o->file) {
		fprintf(stderr, "otklik: FILE is required\n\n%s", usage_import);
		return 2;
	}
	struct store *s;
	if (open_migrated(o->db, &s))
		return 1;
	struct import_spb_stats st;
	int rc = import_spb_run(s, o->file, o->batch, &st);
	store_close(s);
	if (rc) {
		fprintf(stderr, "otklik: import of %s failed (%s)\n", o->file, err_code(rc));
		return 1;
	}
	int64_t rows = st.appeals + st.answers + st.routes + st.events;
	json_t *j = json_pack(
	    "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f}",
	    "file", o->file, "lines", (json_int_t)st.lines, "bad_lines", (json_int_t)st.bad_lines,
	    "appeals", (json_int_t)st.appeals, "skipped", (json_int_t)st.skipped, "answers",
	    (json_int_t)st.answers, "routes", (json_int_t)st.routes, "events",
	    (json_int_t)st.events, "territories", (json_int_t)st.territories, "categories",
	    (json_int_t)st.categories, "topics", (json_int_t)st.topics, "orgs", (json_int_t)st.orgs,
	    "rules", (json_int_t)st.rules, "rows", (json_int_t)rows, "seconds", st.seconds,
	    "rows_per_s", st.seconds > 0 ? (double)rows / st.seconds : 0.0);
	char *out = json_dumps(j, JSON_COMPACT);
	printf("%s\n", out);
	free(out);
	json_decref(j);
	return 0;
}

static int cmd_gen(struct opts *o)
{
	if (o->count < 1) {
		fprintf(stderr, "otklik: --count N (N >= 1) is required\n\n%s", usage_gen);
		return 2;
	}
	if (o->orgs < 0 || o->orgs > 10000) {
		fprintf(stderr, "otklik: --orgs takes 1..10000\n");
		return 2;
	}
	if (o->spread < 0 || o->spread > 3660) {
		fprintf(stderr, "otklik: --spread takes 1..3660 days\n");
		return 2;
	}
	struct store *s;
	if (open_migrated(o->db, &s))
		return 1;
	struct gen_stats st;
	int rc = o->spread ? gen_spread(s, o->count, o->spread, &st)
	                   : gen_appeals(s, o->count, o->orgs ? o->orgs : 200, &st);
	store_close(s);
	if (rc) {
		fprintf(stderr, "otklik: gen failed (%s)\n", err_code(rc));
		return 1;
	}
	printf("{\"appeals\":%lld,\"orgs\":%lld,\"first_org\":%lld,\"topic_id\":%lld,"
	       "\"territory_id\":%lld,\"seconds\":%.3f,\"rows_per_s\":%.0f}\n",
	       (long long)st.appeals, (long long)st.orgs, (long long)st.first_org,
	       (long long)st.topic_id, (long long)st.territory_id, st.seconds,
	       st.seconds > 0 ? (double)st.appeals / st.seconds : 0.0);
	return 0;
}

static int cmd_analytics(struct opts *o)
{
	struct store *s;
	if (open_migrated(o->db, &s))
		return 1;
	int64_t n = 0;
	double secs = 0;
	int rc = store_stat_rebuild(s, true, &n, &secs);
	store_close(s);
	if (rc) {
		fprintf(stderr, "otklik: analytics rebuild failed (%s)\n", err_code(rc));
		return 1;
	}
	printf("{\"appeals\":%lld,\"seconds\":%.3f}\n", (long long)n, secs);
	return 0;
}

static int cmd_bench_raw(struct opts *o)
{
	struct store *s;
	if (open_migrated(o->db, &s))
		return 1;
	long long rows = o->rows > 0 ? o->rows : 20000;
	int batch = o->batch > 0 ? o->batch : 1;
	double rate = 0;
	int rc = gen_bench_raw(s, rows, batch, &rate);
	store_close(s);
	if (rc) {
		fprintf(stderr, "otklik: bench-raw failed (%s)\n", err_code(rc));
		return 1;
	}
	printf("{\"rows\":%lld,\"batch\":%d,\"rows_per_s\":%.0f}\n", rows, batch, rate);
	return 0;
}

static int cmd_backup(struct opts *o)
{
	if (!o->file) {
		fprintf(stderr, "otklik: FILE is required\n\n%s", usage_backup);
		return 2;
	}
	struct backup_stats st;
	char err[2048];
	int rc = backup_sqlite(o->db, o->file, o->force, &st, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "otklik: %s\n", err);
		return 1;
	}
	json_t *j = json_pack("{s:s, s:I, s:I, s:f, s:I, s:I, s:b}", "file", o->file, "pages",
	                      (json_int_t)st.pages, "bytes", (json_int_t)st.bytes, "ms",
	                      round(st.ms * 10) / 10, "steps", (json_int_t)st.steps, "restarts",
	                      (json_int_t)st.restarts, "snapshot", st.snapshot);
	char *out = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(12));
	printf("%s\n", out);
	free(out);
	json_decref(j);
	return 0;
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
	/* @eval-spikes */
	if (!strcmp(cmd, "eval") && argc > 2 && !strcmp(argv[2], "spikes"))
		return eval_spikes_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "eval"))
		return eval_main(argc - 1, argv + 1);
	struct opts o = {0};
	const char *usage = !strcmp(cmd, "serve")       ? usage_serve
	                    : !strcmp(cmd, "migrate")   ? usage_migrate
	                    : !strcmp(cmd, "demo")      ? usage_demo
	                    : !strcmp(cmd, "apikey")    ? usage_apikey
	                    : !strcmp(cmd, "import")    ? usage_import
	                    : !strcmp(cmd, "gen")       ? usage_gen
	                    : !strcmp(cmd, "bench-raw") ? usage_bench_raw
	                    : !strcmp(cmd, "backup")    ? usage_backup
	                    : !strcmp(cmd, "analytics") ? usage_analytics
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
		if (argc < 3 || (strcmp(argv[2], "create") && strcmp(argv[2], "list") &&
		                 strcmp(argv[2], "revoke"))) {
			fprintf(stderr, "%s", usage);
			return 2;
		}
		o.sub = argv[2];
		start = 3;
	}
	if (!strcmp(cmd, "import") || !strcmp(cmd, "gen") || !strcmp(cmd, "analytics")) {
		const char *sub = !strcmp(cmd, "import") ? "nash-spb"
		                  : !strcmp(cmd, "gen")  ? "appeals"
		                                         : "rebuild";
		if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
			fputs(usage, stdout);
			return 0;
		}
		if (argc < 3 || strcmp(argv[2], sub)) {
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
	if (!strcmp(cmd, "import"))
		return cmd_import(&o);
	if (!strcmp(cmd, "gen"))
		return cmd_gen(&o);
	if (!strcmp(cmd, "bench-raw"))
		return cmd_bench_raw(&o);
	if (!strcmp(cmd, "backup"))
		return cmd_backup(&o);
	if (!strcmp(cmd, "analytics"))
		return cmd_analytics(&o);
	return cmd_apikey(&o);
}
