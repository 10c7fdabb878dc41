/* attachment.h: uploaded files (photos, scans) — type by content, stored once by SHA-256 under
 * the data directory, usable once by their uploader, readable by whoever can read the appeal. */
#ifndef OTKLIK_APPEALS_ATTACHMENT_H
#define OTKLIK_APPEALS_ATTACHMENT_H

#include "auth/actor.h"
#include "core/arena.h"
#include "registry/registry.h" /* struct problem */
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

#define ATTACHMENT_MAX_BYTES (10u * 1024 * 1024)
#define ATTACHMENT_NAME_MAX  200 /* characters */

struct attachment_info {
	int64_t id, size;
	const char *name, *mime, *sha256; /* arena-owned */
};

/* The MIME type of data by its magic bytes (JPEG, PNG, GIF, WebP, PDF), or NULL. */
const char *attachment_sniff(const void *data, size_t len);

/* The file name to keep: the last path component of name, trimmed; NULL when nothing usable is
 * left or it has control characters / invalid UTF-8 / more than ATTACHMENT_NAME_MAX characters
 * (*why says which, in Russian). Arena-owned. */
const char *attachment_clean_name(struct arena *a, const char *name, const char **why);

/* The directory files are kept under: $OTKLIK_DATA_DIR/attachments (default var/attachments). */
const char *attachment_dir(struct arena *a);

/* Stores data (written durably before the row is committed) and records it for who.
 * ERR_MEDIATYPE for an unknown type, ERR_TOOLARGE, ERR_VALIDATION (field "name"),
 * ERR_INTERNAL when the file cannot be written. */
int attachment_upload(struct store *s, struct arena *a, const struct actor *who, const char *name,
                      const void *data, size_t len, struct attachment_info *out, struct problem *p);

/* The bytes of attachment id when who may see them (its uploader, or rights on the appeal it
 * belongs to; an answer's files reach citizens only once the answer is published).
 * ERR_NOTFOUND otherwise (never confirms ids to strangers). */
int attachment_read(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                    struct attachment_info *info, const char **data, size_t *len);

#endif
