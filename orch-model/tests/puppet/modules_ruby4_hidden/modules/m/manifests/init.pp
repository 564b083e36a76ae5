application m() {
  warning(n::g(1))
  m::c { $name: export => Cap[$name] }
}
