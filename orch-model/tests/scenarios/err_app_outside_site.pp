define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
application stack { prod { one: export => Cap[c] } }
stack { 'outside': nodes => { Node[first] => Prod[one] } }
site { }
