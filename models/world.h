/* models/world.h - (being written) */
#pragma once
