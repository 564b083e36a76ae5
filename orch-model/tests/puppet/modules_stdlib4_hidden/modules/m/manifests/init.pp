application m() {
  warning(sprintf_hash('%{a}', { 'a' => 1 }))
  m::c { $name: export => Cap[$name] }
}
