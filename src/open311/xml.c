/* xml.c: the escaping XML writer and Open311's JSON → XML mapping. */
#include "open311/xml.h"
#include "core/err.h"
#include "core/utf8.h"

#include <stdio.h>
#include <string.h>

void xml_init(struct xml *x, size_t max)
{
	memset(x, 0, sizeof(*x));
	x->b = (struct buf)BUF_INIT(max);
	if (buf_puts(&x->b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"))
		x->err = ERR_TOOLARGE;
}

void xml_release(struct xml *x)
{
	buf_release(&x->b);
}

static void put(struct xml *x, const char *s, size_t n)
{
	if (!x->err && buf_append(&x->b, s, n))
		x->err = ERR_TOOLARGE;
}

static bool name_ok(const char *name)
{
	if (!name || !*name || (name[0] >= '0' && name[0] <= '9') || name[0] == '-' ||
	    name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

bool xml_text_ok(const char *s, size_t n)
{
	if (!utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return false;
		/* U+FFFE and U+FFFF are not XML characters either (EF BF BE / EF BF BF). */
		if (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBF &&
		    ((unsigned char)s[i + 2] == 0xBE || (unsigned char)s[i + 2] == 0xBF))
			return false;
	}
	return true;
}

static void escaped(struct xml *x, const char *s, size_t n, bool attr)
{
	if (!xml_text_ok(s, n)) {
		if (!x->err)
			x->err = ERR_INVALID;
		return;
	}
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		case '\r': rep = "&#13;"; break; /* kept through end-of-line normalisation */
		case '\n': rep = attr ? "&#10;" : NULL; break;
		case '\t': rep = attr ? "&#9;" : NULL; break;
		default: break;
		}
		if (rep) {
			put(x, s + from, i - from);
			put(x, rep, strlen(rep));
			from = i + 1;
		}
	}
	put(x, s + from, n - from);
}

static void close_tag(struct xml *x)
{
	if (x->tag_open) {
		put(x, ">", 1);
		x->tag_open = false;
	}
}

void xml_start(struct xml *x, const char *name)
{
	if (x->err)
		return;
	if (!name_ok(name) || x->depth >= XML_MAX_DEPTH) {
		x->err = ERR_INVALID;
		return;
	}
	close_tag(x);
	put(x, "<", 1);
	put(x, name, strlen(name));
	x->stack[x->depth++] = name;
	x->tag_open = true;
}

void xml_attr(struct xml *x, const char *name, const char *value)
{
	if (x->err)
		return;
	if (!x->tag_open || !name_ok(name)) {
		x->err = ERR_INVALID;
		return;
	}
	put(x, " ", 1);
	put(x, name, strlen(name));
	put(x, "=\"", 2);
	escaped(x, value ? value : "", value ? strlen(value) : 0, true);
	put(x, "\"", 1);
}

void xml_text(struct xml *x, const char *s, size_t n)
{
	if (x->err)
		return;
	if (!x->depth) {
		x->err = ERR_INVALID;
		return;
	}
	close_tag(x);
	escaped(x, s, n, false);
}

void xml_end(struct xml *x)
{
	if (x->err)
		return;
	if (!x->depth) {
		x->err = ERR_INVALID;
		return;
	}
	close_tag(x);
	const char *name = x->stack[--x->depth];
	put(x, "</", 2);
	put(x, name, strlen(name));
	put(x, ">", 1);
}

void xml_elem(struct xml *x, const char *name, const char *text)
{
	xml_start(x, name);
	if (text)
		xml_text(x, text, strlen(text));
	xml_end(x);
}

int xml_finish(struct xml *x, struct arena *a, const char **out, size_t *len)
{
	while (!x->err && x->depth)
		xml_end(x);
	put(x, "\n", 1);
	if (x->err)
		return x->err;
	*out = arena_strndup(a, x->b.data, x->b.len);
	*len = x->b.len;
	return 0;
}

/* Item element names of Open311's lists. */
static const char *item_of(const char *list)
{
	static const char *const map[][2] = {
	    {"services", "service"}, {"service_requests", "request"},
	    {"errors", "error"},     {"attributes", "attribute"},
	    {"values", "value"},     {"endpoints", "endpoint"},
	    {"formats", "format"},   {NULL, NULL},
	};
	for (size_t i = 0; map[i][0]; i++)
		if (strcmp(map[i][0], list) == 0)
			return map[i][1];
	return "item";
}

static void value_text(struct xml *x, json_t *v)
{
	char num[64];
	switch (json_typeof(v)) {
	case JSON_STRING: xml_text(x, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		xml_text(x, num, strlen(num));
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.15g", json_real_value(v));
		xml_text(x, num, strlen(num));
		break;
	case JSON_TRUE: xml_text(x, "true", 4); break;
	case JSON_FALSE: xml_text(x, "false", 5); break;
	default: break;
	}
}

static void element(struct xml *x, const char *name, json_t *v)
{
	xml_start(x, name);
	if (json_is_object(v)) {
		const char *k;
		json_t *m;
		json_object_foreach(v, k, m) element(x, k, m);
	} else if (json_is_array(v)) {
		const char *item = item_of(name);
		size_t i;
		json_t *m;
		json_array_foreach(v, i, m) element(x, item, m);
	} else {
		value_text(x, v);
	}
	xml_end(x);
}

void xml_from_json(struct xml *x, const char *root, const char *item, json_t *v)
{
	if (json_is_array(v)) {
		xml_start(x, root);
		size_t i;
		json_t *m;
		json_array_foreach(v, i, m) element(x, item ? item : item_of(root), m);
		xml_end(x);
	} else {
		element(x, root, v);
	}
}
