application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
warning(lookup('k'))
warning(lookup('all', Array, 'unique'))
warning(lookup('deep'))

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
