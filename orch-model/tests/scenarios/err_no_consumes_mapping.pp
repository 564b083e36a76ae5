define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
application app { prod { one: export => Cap[x] } prod { two: consume => Cap[x] } }
site { app { 'x': nodes => { Node[first] => Prod[one], Node[second] => Prod[two] } } }
