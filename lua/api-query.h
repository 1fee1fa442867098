/* lua/api-query.h - the scenario API's per-node queries and settings of
 * the running cluster: job_nodes(), node_history(), set_node_rate(),
 * node_rate(). Registered by api_open();
 * reference: docs/scenario-api.md, "Actions and queries". */
#pragma once

#include <lua.h>

#include "api.h"

/* [-0, +0, m] Registers the query globals; st must outlive L. */
void api_query_open (lua_State *L, ApiState *st);
