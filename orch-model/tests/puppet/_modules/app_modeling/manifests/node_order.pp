# Rewritten to the shape of app_modeling's: each layer of nodes depends on the previous one.
application app_modeling::node_order($order) {
  $order.reduce([]) |$deps, $layer| {
    app_modeling::wrap_array($layer).map |$n| {
      $cap = Dependency["${name}-${n}"]
      app_modeling::dependency { "${name}-${n}": export => $cap, consume => $deps }
      $cap
    }
  }
}
