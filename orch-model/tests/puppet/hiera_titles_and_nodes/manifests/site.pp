application app { m::prod { $name: export => Cap[$name] } }
M::Prod produces Cap { host => $host }
site {
  $t = lookup('title')
  app { $t: nodes => { Node[lookup('node')] => M::Prod[$t] } }
}
