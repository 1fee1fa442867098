/* policy/health.h - (being written) */
#pragma once
