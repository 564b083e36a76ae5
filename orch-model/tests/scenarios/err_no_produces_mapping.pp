define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
application app { cons { one: export => Cap[x] } }
site { app { 'x': nodes => { Node[first] => Cons[one] } } }
