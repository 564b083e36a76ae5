application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
$x = lookup('a', Integer, 'nosuch')

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
