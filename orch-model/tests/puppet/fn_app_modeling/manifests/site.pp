application pair() {
  $prods = collect_component_titles($nodes, M::Prod)
  $prods.each |$t| { m::prod { $t: export => Cap[$t] } }
  $hosts = collect_component_nodes($nodes, M::Cons)
  collect_component_titles($nodes, M::Cons).each |$i, $t| {
    m::cons { $t: consume => Cap[$prods[0]] }
  }
}
site {
  pair { 'p':
    nodes => {
      Node['db'] => [M::Prod['p-db']],
      Node['web1'] => M::Cons['p-web1'],
      Node['web2'] => [M::Cons['p-web2']],
    },
  }
  create_component_app('pair', 'q', { 'components' => { 'M::Prod' => ['db2'], 'M::Cons' => ['w1', 'w2'] } })
  create_node_order('order', ['first', ['second', 'third'], 'fourth'])
}
