application m() {
  warning(5 =~ N::Port)
  m::c { $name: export => Cap[$name] }
}
