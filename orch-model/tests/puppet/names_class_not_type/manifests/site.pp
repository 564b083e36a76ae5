# A class is not a resource type: M::Db['x'] is not found (a class component is Class['m::db']).
application one() { m::prod { $name: export => Cap[$name] } }
site {
  one { 'a': nodes => { Node['n1'] => [M::Prod['a'], M::Db['x']] } }
}
