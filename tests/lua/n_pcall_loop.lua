-- expect: instruction budget of
-- catching the budget error does not let a script go on
while true do pcall (function () while true do end end) end
