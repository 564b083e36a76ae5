application pair() {
  other::extra { $name: export => Cap[$name] }
}
site {
  # A bare reference resolves Other::Thing: loading other/manifests/thing.pp defines
  # other::extra too.
  $t = Other::Thing  # a class: not a resource type
  pair { 'p': nodes => { Node['n'] => Other::Extra['p'] } }
}
