application pair() {
  other::extra { $name: export => Cap[$name] }
}
site {
  pair { 'p': nodes => { Node['n'] => Other::Extra['p'] } }
}
