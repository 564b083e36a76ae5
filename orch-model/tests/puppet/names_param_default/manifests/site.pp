# The site names Other::Extra before anything loads its file: the default that would load it
# is evaluated later, with the instance.
application pair($t = Other::Thing) {
  other::extra { $name: export => Cap[$name] }
}
site {
  pair { 'p': nodes => { Node['n'] => Other::Extra['p'] } }
}
