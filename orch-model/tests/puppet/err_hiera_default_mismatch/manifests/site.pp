application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
$x = lookup('a', Integer, 'first', 'text')

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
