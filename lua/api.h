/* lua/api.h - (being written) */
#pragma once
