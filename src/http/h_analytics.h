/* h_analytics.h: handlers of dashboard, exports, open data, live stream. */
#ifndef OTKLIK_HTTP_H_ANALYTICS_H
#define OTKLIK_HTTP_H_ANALYTICS_H

#include "http/http.h"

#endif
