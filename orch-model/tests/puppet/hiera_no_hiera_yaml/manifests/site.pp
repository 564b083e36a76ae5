application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
warning(lookup('a', undef, undef, 'default used'))
warning(hiera('a', 'hiera default'))

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
