application app(M::Port $port, M::Tree $t = ['a', ['b']]) { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
site { app { 'x': port => 80, nodes => { Node['n1'] => M::Prod['x'] } } }
