/* h_projects.h: handlers of the project map. */
#ifndef OTKLIK_HTTP_H_PROJECTS_H
#define OTKLIK_HTTP_H_PROJECTS_H

#include "http/http.h"

#endif
