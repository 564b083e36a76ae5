application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
warning(lookup('a', String))
warning(String(lookup('missing', String, 'first', 'dflt')))
warning(String(lookup('missing', undef, undef, 'dflt2')))
warning(String(lookup({'name' => 'missing', 'default_value' => 'from options'})))
warning(String(lookup('missing', {'default_value' => 'from options 2'})))
warning(String(lookup({'name' => 'b', 'value_type' => String})))
warning(String(lookup(['missing', 'b'])))
warning(String(lookup('missing') |$k| { "lambda ${k}" }))
warning(String(lookup(['m1', 'm2']) |$k| { $k }))
warning(String(lookup('num', Integer[1, 10])))
warning(String(lookup('missing', Optional[String], undef, undef)))

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
