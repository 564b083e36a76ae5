application app(Optional[String] $v) { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
site { app { 'x': v => 1, nodes => { Node['n1'] => M::Prod['x'] } } }
