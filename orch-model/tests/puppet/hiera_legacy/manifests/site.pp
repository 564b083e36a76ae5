application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
warning(hiera('a'))
warning(String(hiera('missing', 'dflt')))
warning(String(hiera_array('arr')))
warning(String(hiera_hash('h')))
warning(String(hiera('missing') |$k| { "block ${k}" }))
hiera_include('classes')

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
