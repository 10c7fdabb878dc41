/* xml.h: an escaping XML writer (elements and attributes; & < > " ' escaped, control
 * characters and invalid UTF-8 refused) and the JSON → XML mapping Open311 uses. */
#ifndef OTKLIK_OPEN311_XML_H
#define OTKLIK_OPEN311_XML_H

#include "core/arena.h"
#include "core/buf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define XML_MAX_DEPTH 32

struct xml {
	struct buf b;
	const char *stack[XML_MAX_DEPTH];
	int depth;
	bool tag_open; /* "<name" written, attributes may follow */
	int err;       /* first error (ERR_INVALID for refused text, ERR_TOOLARGE, …); sticky */
};

/* Starts a document (with the XML declaration) of at most max bytes. */
void xml_init(struct xml *x, size_t max);
void xml_release(struct xml *x);
/* <name>; name must be a plain XML name (letters, digits, _ - .), else the writer fails. */
void xml_start(struct xml *x, const char *name);
/* name="value" on the element just started (before any content). */
void xml_attr(struct xml *x, const char *name, const char *value);
/* Escaped character data. */
void xml_text(struct xml *x, const char *s, size_t n);
/* </name> of the innermost open element. */
void xml_end(struct xml *x);
/* <name>text</name> (text NULL: an empty element). */
void xml_elem(struct xml *x, const char *name, const char *text);
/* The document into the arena (all elements closed). Returns 0 or the writer's first error. */
int xml_finish(struct xml *x, struct arena *a, const char **out, size_t *len);

/* True when s[0..n) may appear in XML 1.0 text: valid UTF-8, no control characters but
 * tab, LF and CR. */
bool xml_text_ok(const char *s, size_t n);

/* Writes a JSON value as Open311 XML under element root: object members become child
 * elements in order; an array becomes repeated elements named by item_name(parent name)
 * (NULL: the parent's name minus a trailing 's'); strings escaped, numbers as decimals,
 * true/false, null as an empty element. A top-level array is wrapped in root with items named
 * item. */
void xml_from_json(struct xml *x, const char *root, const char *item, json_t *v);

#endif
