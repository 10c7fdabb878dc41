/* role.c: role names. */
#include "auth/actor.h"

#include <string.h>

static const char *const names[ROLE_COUNT] = {"citizen",    "operator",    "executor",
                                              "supervisor", "coordinator", "organiser",
                                              "moderator",  "volunteer",   "admin"};

unsigned role_from_name(const char *name)
{
	if (!name)
		return 0;
	for (unsigned i = 0; i < ROLE_COUNT; i++)
		if (strcmp(names[i], name) == 0)
			return 1u << i;
	return 0;
}

const char *role_name(unsigned role)
{
	for (unsigned i = 0; i < ROLE_COUNT; i++)
		if (role == 1u << i)
			return names[i];
	return "unknown";
}
