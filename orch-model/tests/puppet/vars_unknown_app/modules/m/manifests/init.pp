application m($p = $nosuch_default) {
  $local = "${undefined_in_app}-${p}"
  m::c { $name: export => Cap[$name] }
  m::d { $name: consume => Cap[$name] }
}
