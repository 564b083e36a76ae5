# Production runs three web nodes; the node names follow the web farm's component titles.
$web_nodes = {
  'prod-1' => 'web01.example.net',
  'prod-2' => 'web02.example.net',
  'prod-3' => 'web03.example.net',
}

site {
  shop { 'prod':
    web_count => 3,
    nodes     => {
      Node['db01.example.net'] => Shop::Db['prod'],
      Node['lb01.example.net'] => Shop::Lb['prod'],
    } + $web_nodes.reduce({}) |$memo, $pair| {
      $memo + { Node[$pair[1]] => Shop::Web[$pair[0]] }
    },
  }
}
