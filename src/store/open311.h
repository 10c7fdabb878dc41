/* open311.h (store): SQL for Open311: services (topics) and their attributes, the attribute
 * values given with appeals, and the public request listing. */
#ifndef OTKLIK_STORE_OPEN311_H
#define OTKLIK_STORE_OPEN311_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* Active topics, by category sort then topic name. Columns: 0 code, 1 name, 2 hint,
 * 3 category name, 4 category code, 5 number of attributes. */
int store_o311_services(struct store_conn *c, struct arena *a, struct store_rows *out);

/* The active topic with this code: its id and name (arena-owned). 0 or ERR_NOTFOUND. */
int store_o311_topic(struct store_conn *c, struct arena *a, const char *code, int64_t *topic_id,
                     const char **name);

/* A topic's attributes in order. Columns: 0 code, 1 datatype, 2 required, 3 description,
 * 4 datatype_description, 5 sort, 6 values (JSON text [{"key","name"}] or NULL). */
int store_o311_attributes(struct store_conn *c, struct arena *a, int64_t topic_id,
                          struct store_rows *out);

/* Inserts an attribute unless (topic, code) exists; *id = the new id, 0 when it existed.
 * ERR_NOTFOUND when the topic code is unknown. */
int store_o311_attribute_add(struct store_conn *c, const char *topic_code, const char *code,
                             const char *datatype, int required, const char *description,
                             const char *datatype_description, int64_t sort, const char *values,
                             int64_t *id);

/* Replaces the values of one attribute of an appeal (one row per value). */
int store_o311_appeal_attr_set(struct store_conn *c, int64_t appeal_id, const char *code,
                               const char *const *values, size_t n);

/* The territory of an API key's organisation (0 when the key has no organisation). */
int store_o311_apikey_territory(struct store_conn *c, int64_t apikey_id, int64_t *territory_id);

/* The appeal id of a token: 0 or ERR_NOTFOUND. */
int store_o311_token(struct store_conn *c, const char *token, int64_t *id);

/* Filters of GET requests (all optional). */
struct o311_filter {
	const int64_t *ids; /* service_request_id list: the other filters are ignored */
	size_t nids;
	const char *const *codes; /* topic codes */
	size_t ncodes;
	int open;         /* -1 any, 1 open only, 0 closed only */
	int64_t from, to; /* created_at bounds in ms, inclusive; 0 = none */
	int64_t limit;    /* rows at most */
};

/* Public request rows, newest first. Columns: 0 id, 1 status, 2 text, 3 address, 4 lat,
 * 5 lon, 6 created_at, 7 updated_at, 8 deadline_at, 9 reject_reason, 10 topic code,
 * 11 topic name, 12 org name, 13 latest published answer text, 14 media_url, 15 deadline
 * (topic) , 16 deadline unit. */
int store_o311_requests(struct store_conn *c, struct arena *a, const struct o311_filter *f,
                        struct store_rows *out);

#endif
