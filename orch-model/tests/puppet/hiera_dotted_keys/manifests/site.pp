application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
warning(lookup('h.k.deep'))
warning(String(lookup('h.list.1')))
warning(String(lookup('"quoted.key"')))
warning(String(lookup('h.nosuch', undef, undef, 'dflt')))

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
