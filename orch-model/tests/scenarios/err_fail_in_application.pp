define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
application app(Integer $count) {
  if $count < 1 { fail("need at least one, got ${count}") }
  prod { one: export => Cap[c] }
}
site { app { 'x': count => 0, nodes => { Node[first] => Prod[one] } } }
