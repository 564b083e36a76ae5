application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
warning(lookup('users'))
warning(String(lookup('pkg_web')))
warning(String(lookup('port') + 1))
warning(String(lookup('secret')))
warning(String(lookup('plain')))
warning(String(lookup('users', Hash, 'first')))

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
