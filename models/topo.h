/* models/topo.h - (being written) */
#pragma once
