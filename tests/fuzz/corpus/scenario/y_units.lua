-- Unit helpers return seconds; the module gives the same values.
local u = require "faultline.units"
assert (seconds(5) == 5)
assert (minutes(2) == 120)
assert (hours(1) == 3600 and u.hours(1) == 3600)
assert (days(1) == 86400 and u.days(1) == 86400)
assert (weeks(1) == 7 * 86400)
assert (hours(0.5) == 1800)
assert (u.format (93784) == "1d02h03m04s", u.format (93784))
run { length = weeks(1), sample_every = minutes(30) }
