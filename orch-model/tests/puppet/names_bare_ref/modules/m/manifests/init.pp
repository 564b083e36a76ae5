# One producer per title, each on the node of that name: the graph shows every title and node.
application m($on) {
  $on.each |$i, $n| {
    m::prod { "${name}-${i}": export => Cap["${name}-${i}"] }
  }
}
