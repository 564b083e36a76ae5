application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
$x = Float('x1')

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
