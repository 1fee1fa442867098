-- expect: instruction budget of
while true do end
