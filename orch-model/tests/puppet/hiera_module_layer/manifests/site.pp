application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
warning(lookup('m::x'))
warning(String(lookup('m::over')))
warning(String(lookup('m::list')))
warning(String(lookup('other::y', undef, undef, 'not seen')))

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
