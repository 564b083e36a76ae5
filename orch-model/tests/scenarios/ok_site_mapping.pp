define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
define other($host = 'oh') { }
application app { other { $name: export => Cap[$name] } cons { $name: consume => Cap[$name] } }
site {
  Other produces Cap { host => "${host}-mapped" }
  app { 'm': nodes => { Node['a'] => Other['m'], Node['b'] => Cons['m'] } }
}
