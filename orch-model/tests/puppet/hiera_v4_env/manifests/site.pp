application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
warning(lookup('a'))
warning(lookup('b'))

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
