define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
application app { prod { one: export => Cap[cap] } prod { two: export => Cap[cap] } }
site { app { 'x': nodes => { Node[first] => Prod[one], Node[second] => Prod[two] } } }
