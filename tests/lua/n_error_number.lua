-- expect: n_error_number.lua:3: 42
-- A number as the error object: the line is named.
error (42)
