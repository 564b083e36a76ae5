application app(M::Port $port) { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
site { app { 'x': port => 0, nodes => { Node['n1'] => M::Prod['x'] } } }
