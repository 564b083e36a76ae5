application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
$v = 'vv'
warning(String(lookup('z')))
warning(lookup('s'))
warning(lookup('y'))

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
