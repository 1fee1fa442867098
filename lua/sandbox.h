/* lua/sandbox.h - (being written) */
#pragma once
