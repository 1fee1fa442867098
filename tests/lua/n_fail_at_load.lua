-- expect: fail() changes the running cluster: call it inside at(t, fn)
fail ("spine-07")
