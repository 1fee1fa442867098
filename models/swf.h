/* models/swf.h - (being written) */
#pragma once
