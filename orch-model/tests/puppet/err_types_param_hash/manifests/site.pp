application app(Hash[String, M::Port] $ports) { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
site { app { 'x': ports => {'a' => 'x'}, nodes => { Node['n1'] => M::Prod['x'] } } }
