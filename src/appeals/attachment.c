/* attachment.c: uploaded files — sniffing, safe names, content-addressed storage on disk,
 * and who may read them. */
#include "appeals/attachment.h"
#include "appeals/appeal.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/utf8.h"
#include "store/appeals.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *attachment_sniff(const void *data, size_t len)
{
	const unsigned char *d = data;
	if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return "image/jpeg";
	if (len >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (len >= 6 && (!memcmp(d, "GIF87a", 6) || !memcmp(d, "GIF89a", 6)))
		return "image/gif";
	if (len >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4))
		return "image/webp";
	if (len >= 5 && !memcmp(d, "%PDF-", 5))
		return "application/pdf";
	return NULL;
}

const char *attachment_clean_name(struct arena *a, const char *name, const char **why)
{
	*why = "Укажите имя файла (?name=)";
	if (!name)
		return NULL;
	size_t n = strlen(name);
	if (!utf8_valid(name, n)) {
		*why = "Имя файла: неверная кодировка";
		return NULL;
	}
	/* the last component of a path, whatever the separator */
	const char *base = name;
	for (const char *s = name; *s; s++)
		if (*s == '/' || *s == '\\')
			base = s + 1;
	n = strlen(base);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)base[i];
		if (ch < 0x20 || ch == 0x7F ||
		    (ch == 0xC2 && i + 1 < n && (unsigned char)base[i + 1] >= 0x80 &&
		     (unsigned char)base[i + 1] <= 0x9F)) {
			*why = "Имя файла содержит управляющие символы";
			return NULL;
		}
	}
	while (n && (*base == ' ' || *base == '.')) { /* no hidden files, no "..", no "." */
		base++;
		n--;
	}
	while (n && base[n - 1] == ' ')
		n--;
	if (!n) {
		*why = "Имя файла пустое";
		return NULL;
	}
	if (utf8_len(base, n) > ATTACHMENT_NAME_MAX) {
		*why = "Имя файла — не длиннее 200 символов";
		return NULL;
	}
	return arena_strndup(a, base, n);
}

const char *attachment_dir(struct arena *a)
{
	const char *d = getenv("OTKLIK_DATA_DIR");
	return arena_printf(a, "%s/attachments", d && *d ? d : "var");
}

/* mkdir -p */
static int make_dirs(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		int rc = mkdir(path, 0750);
		*s = '/';
		if (rc && errno != EEXIST)
			return -1;
	}
	if (mkdir(path, 0750) && errno != EEXIST)
		return -1;
	return 0;
}

static const char *file_path(struct arena *a, const char *sha)
{
	return arena_printf(a, "%s/%.2s/%.2s/%s", attachment_dir(a), sha, sha + 2, sha);
}

/* Writes data to path through a temporary file, fsync and rename (an existing file with the
 * same name has the same content: kept as it is). */
static int write_durably(struct arena *a, const char *path, const void *data, size_t len)
{
	struct stat st;
	if (!stat(path, &st) && (size_t)st.st_size == len)
		return 0;
	char *dir = arena_strdup(a, path);
	*strrchr(dir, '/') = '\0';
	if (make_dirs(dir))
		return ERR_INTERNAL;
	unsigned char rnd[8];
	char hex[17];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	const char *tmp = arena_printf(a, "%s.tmp-%s", path, hex);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		return ERR_INTERNAL;
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(tmp);
			return ERR_INTERNAL;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) || close(fd)) {
		unlink(tmp);
		return ERR_INTERNAL;
	}
	if (rename(tmp, path)) {
		unlink(tmp);
		return ERR_INTERNAL;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

struct upload_job {
	struct attachment_row row;
	const struct actor *who;
	int64_t id;
};

static int upload_fn(struct store_conn *c, void *arg)
{
	struct upload_job *j = arg;
	j->id = 0;
	int rc = store_attachment_insert(c, &j->row, &j->id);
	if (rc)
		return rc;
	json_t *after = json_pack("{s:s,s:s,s:I}", "name", j->row.name, "mime", j->row.mime, "size",
	                          (json_int_t)j->row.size);
	rc = audit_record(c, j->who, "attachment.upload", "attachment", j->id, NULL, after);
	json_decref(after);
	return rc;
}

int attachment_upload(struct store *s, struct arena *a, const struct actor *who, const char *name,
                      const void *data, size_t len, struct attachment_info *out, struct problem *p)
{
	p->message = NULL;
	p->field = NULL;
	if (!who || (!who->user_id && !who->apikey_id)) {
		p->message = "Войдите, чтобы загрузить файл";
		return ERR_UNAUTHORIZED;
	}
	const char *why;
	const char *clean = attachment_clean_name(a, name, &why);
	if (!clean) {
		p->message = why;
		p->field = "name";
		return ERR_VALIDATION;
	}
	if (len > ATTACHMENT_MAX_BYTES) {
		p->message = "Файл больше 10 МБ";
		return ERR_TOOLARGE;
	}
	const char *mime = attachment_sniff(data, len);
	if (!mime) {
		p->message = "Допустимы только изображения (JPEG, PNG, GIF, WebP) и PDF";
		return ERR_MEDIATYPE;
	}
	unsigned char hash[crypto_hash_sha256_BYTES];
	char sha[crypto_hash_sha256_BYTES * 2 + 1];
	crypto_hash_sha256(hash, data, len);
	sodium_bin2hex(sha, sizeof(sha), hash, sizeof(hash));
	int rc = write_durably(a, file_path(a, sha), data, len);
	if (rc) {
		log_error("attachment_write", "cannot store a file under %s", attachment_dir(a));
		p->message = "Не удалось сохранить файл";
		return rc;
	}
	struct upload_job j = {
	    .row =
	        {
	            .sha256 = arena_strdup(a, sha),
	            .size = (int64_t)len,
	            .mime = mime,
	            .name = clean,
	            .uploader_user_id = who->user_id,
	            .uploader_apikey_id = who->user_id ? 0 : who->apikey_id,
	            .created_at = clock_now_ms(),
	        },
	    .who = who,
	};
	rc = store_write(s, upload_fn, &j);
	if (rc)
		return rc;
	out->id = j.id;
	out->size = (int64_t)len;
	out->name = clean;
	out->mime = mime;
	out->sha256 = j.row.sha256;
	return 0;
}

/* May who read this attachment? */
static int may_read(struct store_conn *c, struct arena *a, const struct actor *who,
                    const struct attachment_row *row, bool *ok)
{
	*ok = false;
	if (!who)
		return 0;
	if ((who->user_id && row->uploader_user_id == who->user_id) ||
	    (!who->user_id && who->apikey_id && row->uploader_apikey_id == who->apikey_id)) {
		*ok = true;
		return 0;
	}
	int64_t appeal_id = row->appeal_id ? row->appeal_id : row->answer_appeal_id;
	if (!appeal_id)
		return 0;
	struct appeal ap;
	int rc = appeal_load(c, a, appeal_id, &ap);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	unsigned rights = 0;
	rc = appeal_rights(c, who, &ap, &rights);
	if (rc)
		return rc;
	if (who->apikey_id && ap.apikey_id == who->apikey_id)
		rights |= AR_OPERATOR;
	if (!rights)
		return 0;
	if (row->answer_id && !(rights & AR_STAFF) &&
	    (!row->answer_state || strcmp(row->answer_state, "published")))
		return 0;
	*ok = true;
	return 0;
}

int attachment_read(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                    struct attachment_info *info, const char **data, size_t *len)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct attachment_row row;
	bool ok = false;
	rc = store_attachment_get(c, a, id, &row);
	if (!rc)
		rc = may_read(c, a, who, &row, &ok);
	store_conn_put(s, c);
	if (rc)
		return rc;
	if (!ok)
		return ERR_NOTFOUND;
	info->id = row.id;
	info->size = row.size;
	info->name = row.name;
	info->mime = row.mime;
	info->sha256 = row.sha256;
	const char *path = file_path(a, row.sha256);
	FILE *f = fopen(path, "rb");
	if (!f) {
		log_error("attachment_missing", "attachment %lld: file missing", (long long)id);
		return ERR_INTERNAL;
	}
	size_t want = row.size > 0 ? (size_t)row.size : 0;
	char *buf = arena_alloc(a, want + 1);
	size_t got = want ? fread(buf, 1, want, f) : 0;
	fclose(f);
	if (got != want) {
		log_error("attachment_short", "attachment %lld: short file", (long long)id);
		return ERR_INTERNAL;
	}
	*data = buf;
	*len = got;
	return 0;
}
