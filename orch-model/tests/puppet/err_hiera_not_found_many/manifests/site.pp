application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
$x = lookup(['n1', 'n2'])

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
