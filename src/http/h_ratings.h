/* h_ratings.h: handlers of ratings of bodies, executors and regions. */
#ifndef OTKLIK_HTTP_H_RATINGS_H
#define OTKLIK_HTTP_H_RATINGS_H

#include "http/http.h"

#endif
