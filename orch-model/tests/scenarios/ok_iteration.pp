define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
$layout = { Node['db'] => Prod['it'], Node['w1'] => Cons['it-a'], Node['w2'] => Cons['it-b'] }
application app(Array[String] $webs) {
  prod { $name: export => Cap[$name] }
  $webs.each |$w| { cons { "${name}-${w}": consume => Cap[$name] } }
}
site { app { 'it': webs => ['a', 'b'], nodes => $layout } }
