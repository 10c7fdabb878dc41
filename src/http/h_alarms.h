/* h_alarms.h: handlers of spikes and new problems. */
#ifndef OTKLIK_HTTP_H_ALARMS_H
#define OTKLIK_HTTP_H_ALARMS_H

#include "http/http.h"

#endif
