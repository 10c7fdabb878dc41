/* embed.h: files compiled into the binary (web assets, migrations, reference data). */
#ifndef OTKLIK_CORE_EMBED_H
#define OTKLIK_CORE_EMBED_H

#include <stddef.h>

struct embedded_file {
	const char *name; /* path relative to the project root, e.g. "web/index.html" */
	const char *data; /* NUL-terminated for convenience; len excludes the NUL */
	size_t len;
};

/* Terminated by an entry with name == NULL; generated at build time. */
extern const struct embedded_file embedded_files[];

/* The file with this exact name, or NULL. */
const struct embedded_file *embed_find(const char *name);

#endif
