-- expect: invalid module name '../../etc/passwd'
require "../../etc/passwd"
