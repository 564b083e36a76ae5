# An unmapped component (the graph builder's check) and a never-exported capability (the
# environment compiler's validator, which runs first): Puppet reports the second.
application one() {
  m::prod { $name: export => Cap[$name] }
  m::prod { "${name}-extra": export => Cap["${name}-extra"] }
}
application two() { m::cons { $name: consume => Cap['nobody'] } }
site {
  one { 'a': nodes => { Node['n1'] => M::Prod['a'] } }
  two { 'b': nodes => { Node['n2'] => M::Cons['b'] } }
}
