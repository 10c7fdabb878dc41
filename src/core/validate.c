/* validate.c: shape checks for user-entered values. */
#include "core/validate.h"

#include <string.h>

bool valid_email(const char *s)
{
	const char *at = strchr(s, '@');
	return at && at != s && strchr(at + 1, '.') && !strchr(at + 1, '@') && !strchr(s, ' ') &&
	       at[1] != '.' && s[strlen(s) - 1] != '.';
}
