application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
$who = 'top'
site {
  $who = 'site'
  warning(lookup('who'))
  app { 'x': nodes => { Node['n1'] => M::Prod['x'] } }
}
