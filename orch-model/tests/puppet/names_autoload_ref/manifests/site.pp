application pair() {
  other::extra { $name: export => Cap[$name] }
}
site {
  # Resolving Other::Thing loads other/manifests/thing.pp, which defines other::extra.
  $t = Other::Thing['unused']
  pair { 'p': nodes => { Node['n'] => Other::Extra['p'] } }
}
