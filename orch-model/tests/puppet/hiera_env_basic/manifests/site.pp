application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
$tier = 'prod'
warning(String(lookup('a')))
warning(String(lookup('b')))
warning(String(lookup('n') + 1))
warning("${lookup('f')}")
warning(String(lookup('t')))
warning(String(lookup('nothing') == undef))
warning(String(lookup('arr')))

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
