application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
$var = 'V'
$hvar = {'k' => 'K'}
$avar = ['a0', 'a1']
['plain', 'top', 'dotted', 'idx', 'unknown', 'facts', 'lk', 'hl', 'lit', 'sc', 'empty'].each |$k| {
  warning("${k}: ${lookup($k)}")
}
warning(String(lookup('al')))
warning(String(lookup('nested')))
warning(String(lookup('al') =~ Array))

site { app { 'x': nodes => { Node['n1'] => M::Prod['x'] } } }
