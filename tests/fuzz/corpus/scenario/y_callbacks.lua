-- Scripted events register at load time; fail() is only called inside.
at (days(3), function () fail ("spine-07") end)
every (hours(6), function () note ("healthy", healthy_gpus ()) end)
on ("job_interrupted", function (e) note (e.job, e.cause, e.lost_gpu_hours) end)
note ("loaded")
assert (now () == 0)
