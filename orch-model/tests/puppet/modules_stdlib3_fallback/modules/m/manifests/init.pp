application m() {
  warning(is_string('x'))
  m::c { $name: export => Cap[$name] }
}
