define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
application dbapp { prod { $name: export => Cap[$name] } }
application webapp(Type[Cap] $db = Cap["${name}-db"]) { cons { $name: consume => $db } }
site {
  dbapp { 'shared': nodes => { Node['dbnode'] => Prod['shared'] } }
  webapp { 'w1': db => Cap['shared'], nodes => { Node['webnode'] => Cons['w1'] } }
}
