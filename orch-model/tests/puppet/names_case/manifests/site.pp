# Type names in any case are one name, printed per segment capitalised.
application stack() {
  myapp::web { $name: export => CAP[$name] }
  MYAPP::WEB { "${name}-2": export => CAP["${name}-2"] }
}
site {
  stack { 'x': nodes => { Node['a'] => MyApp::Web['x'], NODE['b'] => MYAPP::WEB['x-2'] } }
}
