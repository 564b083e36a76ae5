application app($p = lookup('suffix')) { m::prod { $p: export => Cap[$p] } }
M::Prod produces Cap { host => $host }
site { app { 'x': nodes => { Node['n1'] => M::Prod['x-s'] } } }
