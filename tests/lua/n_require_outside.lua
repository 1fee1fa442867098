-- expect: module 'io' not found
local io = require "io"
