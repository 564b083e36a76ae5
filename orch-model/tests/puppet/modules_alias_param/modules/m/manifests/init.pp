application m() {
  warning(1)
  m::c { $name: export => Cap[$name] }
}
