define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
application webapp(Cap $db) { cons { $name: consume => $db } }
application dbapp { prod { $name: export => Cap[$name] } }
site {
  dbapp { 's': nodes => { Node['d'] => Prod['s'] } }
  webapp { 'w': db => Cap['s'], nodes => { Node['w'] => Cons['w'] } }
}
