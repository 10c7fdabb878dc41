/* fuzz_attachment.c: libFuzzer target for uploaded files (src/appeals/attachment.c and the
 * POST /api/attachments and GET /api/attachments/{id} handlers): the type by content
 * (attachment_sniff), the file name the uploader gives (attachment_clean_name) and, for the
 * first uploads of a run, the whole round trip through the store and the disk, with the
 * Content-Disposition header the download carries. Uploads are raw bodies (no multipart).
 * Input: "name\0file bytes"; without a NUL byte everything is the file and there is no name. */
#include "appeals/attachment.h"
#include "core/utf8.h"
#include "harness.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_UPLOADS 400 /* each one is an fsync'ed file and rows: keep a run fast and small */

static struct actor citizen, other;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_store_open();
	fz_actor_of("citizen", &citizen);
	fz_actor_of("citizen2", &other);
	return 0;
}

/* The type by the magic bytes, checked independently of attachment_sniff. */
static const char *expected_mime(const uint8_t *d, size_t n)
{
	if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return "image/jpeg";
	if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 6 && (!memcmp(d, "GIF87a", 6) || !memcmp(d, "GIF89a", 6)))
		return "image/gif";
	if (n >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4))
		return "image/webp";
	if (n >= 5 && !memcmp(d, "%PDF-", 5))
		return "application/pdf";
	return NULL;
}

/* A kept name: clean UTF-8 of at most ATTACHMENT_NAME_MAX characters, no path separators or
 * control characters, not hidden, not padded; cleaning it again changes nothing. */
static void check_name(struct arena *a, const char *clean)
{
	size_t n = strlen(clean);
	if (!n || !utf8_valid(clean, n) || utf8_len(clean, n) > ATTACHMENT_NAME_MAX)
		abort();
	if (strchr(clean, '/') || strchr(clean, '\\') || clean[0] == '.' || clean[0] == ' ' ||
	    clean[n - 1] == ' ')
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)clean[i];
		if (c < 0x20 || c == 0x7F ||
		    (c == 0xC2 && i + 1 < n && (unsigned char)clean[i + 1] >= 0x80 &&
		     (unsigned char)clean[i + 1] <= 0x9F))
			abort();
	}
	const char *why;
	const char *again = attachment_clean_name(a, clean, &why);
	if (!again || strcmp(again, clean))
		abort();
}

/* The query string carrying name: every byte percent-encoded. */
static const char *name_query(struct arena *a, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(name);
	char *q = arena_alloc(a, 5 + 3 * n + 1), *o = q;
	memcpy(o, "name=", 5);
	o += 5;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		*o++ = '%';
		*o++ = hex[c >> 4];
		*o++ = hex[c & 15];
	}
	*o = '\0';
	return q;
}

static void round_trip(struct arena *a, const char *name, const char *clean, const uint8_t *file,
                       size_t n)
{
	static unsigned uploads;
	if (uploads >= MAX_UPLOADS)
		return;
	uploads++;
	const char *q = name ? name_query(a, name) : "";
	struct fz_conn c;
	fz_conn_parse(&c, q, strlen(q));
	struct req r;
	fz_req_init(&r, a, &c, "POST", "/api/attachments", q, &citizen);
	r.body = (const char *)file;
	r.body_len = n;
	r.content_type = "application/octet-stream";
	int rc = fz_dispatch(&r);
	fz_check_handler(&r, rc);
	fz_conn_release(&c);
	const char *mime = expected_mime(file, n);
	if (!clean)
		rc == ERR_VALIDATION ? (void)0 : abort();
	else if (!mime)
		rc == ERR_MEDIATYPE ? (void)0 : abort();
	else if (rc)
		abort();
	if (rc)
		return;
	json_t *j = json_loadb(r.resp_body, r.resp_len, 0, NULL);
	int64_t id = json_integer_value(json_object_get(j, "id"));
	if (id <= 0 || strcmp(json_string_value(json_object_get(j, "name")), clean) ||
	    strcmp(json_string_value(json_object_get(j, "mime")), mime) ||
	    json_integer_value(json_object_get(j, "size")) != (json_int_t)n)
		abort();
	json_decref(j);

	/* The uploader reads the same bytes back; another citizen does not see the file. */
	const char *path = arena_printf(a, "/api/attachments/%lld", (long long)id);
	fz_conn_parse(&c, "", 0);
	fz_req_init(&r, a, &c, "GET", path, "", &citizen);
	rc = fz_dispatch(&r);
	fz_check_handler(&r, rc);
	if (rc || r.resp_len != n || memcmp(r.resp_body, file, n) || strcmp(r.resp_type, mime))
		abort();
	const char *disp = NULL;
	for (size_t i = 0; i < r.nresp_headers; i++)
		if (!strcmp(r.resp_headers[i][0], "Content-Disposition"))
			disp = r.resp_headers[i][1];
	if (!disp)
		abort();
	static const char pre[] = "attachment; filename*=UTF-8''";
	if (strncmp(disp, pre, sizeof(pre) - 1))
		abort();
	for (const char *p = disp + sizeof(pre) - 1; *p; p++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_~%",
		            *p))
			abort(); /* the name is percent-encoded: no quotes, controls or CR/LF */
	fz_req_init(&r, a, &c, "GET", path, "", &other);
	rc = fz_dispatch(&r);
	if (rc != ERR_NOTFOUND)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	const uint8_t *nul = memchr(data, 0, size);
	char *name = nul ? strndup((const char *)data, (size_t)(nul - data)) : NULL;
	const uint8_t *file = nul ? nul + 1 : data;
	size_t n = nul ? size - (size_t)(nul - data) - 1 : size;
	/* an exact-size copy, so that a read past the end is caught */
	uint8_t *copy = malloc(n ? n : 1);
	if (n)
		memcpy(copy, file, n);

	const char *mime = attachment_sniff(copy, n);
	const char *want = expected_mime(copy, n);
	if ((mime == NULL) != (want == NULL) || (mime && strcmp(mime, want)))
		abort();

	struct arena a;
	arena_init(&a, 0);
	const char *why = NULL;
	const char *clean = attachment_clean_name(&a, name, &why);
	if (clean)
		check_name(&a, clean);
	else if (!why || !*why)
		abort(); /* every refusal says why */
	round_trip(&a, name, clean, copy, n);
	arena_release(&a);
	free(copy);
	free(name);
	return 0;
}
