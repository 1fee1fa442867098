/* lua/api-repair.h - repair_pipeline{}: a repair pipeline given as data
 * (docs/scenario-api.md). */
#pragma once

#include <lua.h>

#include "api.h"

/* [-0, +0, m] Registers repair_pipeline; st must outlive L. */
void api_repair_open (lua_State *L, ApiState *st);
