application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
$x = lookup('s', String, 'unique')

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
