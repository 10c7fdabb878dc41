/* h_alarms.h: handlers of spikes and new problems. */
#ifndef OTKLIK_HTTP_H_ALARMS_H
#define OTKLIK_HTTP_H_ALARMS_H

#include "http/http.h"

/* GET /api/analytics/alarms?since_id&limit&territory_id&category_id&topic_id */
int h_alarms_list(struct req *r);

#endif
