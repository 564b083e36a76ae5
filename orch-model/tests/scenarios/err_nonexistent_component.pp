define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
application stack { prod { $name: export => Cap[$name] } cons { $name: consume => Cap[$name] } }
site { stack { 'prod': nodes => { Node['a'] => [Prod['prod'], Cons['prod'], Cons['typo']] } } }
