# Puppet places the relationship validators' errors at the attribute, not the resource.
application one() {
  m::prod { $name:
    host   => 'h',
    export => Cap['shared'],
  }
}
site {
  one { 'b': nodes => { Node['n1'] => M::Prod['b'] } }
  one { 'a': nodes => { Node['n2'] => M::Prod['a'] } }
}
