define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
application app {
  prod { a: export => Cap[a] }
  prod { b: export => Cap[b] }
  cons { c: consume => [Cap[a], Cap[b]] }
}
site { app { 'x': nodes => { Node[n1] => [Prod[a], Prod[b]], Node[n2] => Cons[c] } } }
