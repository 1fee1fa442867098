-- expect: n_unknown_event.lua:2: on():
on ("node_explodes", function (e) end)
