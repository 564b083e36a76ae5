application pair() {
  other::extra { $name: export => Cap[$name] }
}
site {
  # Other::Thing is an alias, yet resolving it loads other/manifests/thing.pp first.
  $t = Other::Thing
  pair { 'p': nodes => { Node['n'] => Other::Extra['p'] } }
}
