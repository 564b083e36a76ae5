# Two exporters of one capability: Puppet names them in catalog order (b's before a's).
application one() { m::prod { $name: export => Cap['shared'] } }
site {
  one { 'b': nodes => { Node['n1'] => M::Prod['b'] } }
  one { 'a': nodes => { Node['n2'] => M::Prod['a'] } }
}
