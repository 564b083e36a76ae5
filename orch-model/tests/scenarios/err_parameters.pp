define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
application app(String $user, Integer $count = 1) { prod { $name: export => Cap[$name] } }
site {
  app { 'typed': user => 'u', count => 'two', nodes => { Node[a] => Prod['typed'] } }
  app { 'missing': nodes => { Node[b] => Prod['missing'] } }
  app { 'unknown': user => 'u', colour => 'red', nodes => { Node[c] => Prod['unknown'] } }
}
