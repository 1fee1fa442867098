-- expect: n_error_table.lua:3: error object is a table value
cluster { gpus = 1024 }
error ({ code = 7 })
