define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
class pclass($host = 'ph') { }
class cclass($host = undef) { }
Class[pclass] produces Cap { }
Class[cclass] consumes Cap { }
application app {
  class { 'pclass': export => Cap[$name] }
  class { 'cclass': consume => Cap[$name] }
}
site { app { 'k': nodes => { Node['a'] => Class['pclass'], Node['b'] => Class['cclass'] } } }
