application m() {
  warning(n::f(1))
  m::c { $name: export => Cap[$name] }
}
