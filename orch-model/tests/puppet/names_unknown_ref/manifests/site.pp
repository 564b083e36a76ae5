application pair() {
  m::prod { $name: export => Cap[$name] }
}
site {
  pair { 'p': nodes => { Node['n'] => [M::Prod['p'], Nosuch::Thing['p']] } }
}
