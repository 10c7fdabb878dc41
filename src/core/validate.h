/* validate.h: small shape checks for user-entered values shared by several domains. */
#ifndef OTKLIK_CORE_VALIDATE_H
#define OTKLIK_CORE_VALIDATE_H

#include <stdbool.h>

/* A plausible e-mail address: local@domain.tld, no spaces, one @, no dot at the edges. */
bool valid_email(const char *s);

#endif
