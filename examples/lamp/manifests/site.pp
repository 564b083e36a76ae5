# Two instances of the lamp application: staging on one pair of nodes, production with two web
# nodes.
site {
  lamp { 'staging':
    db_user     => 'shop',
    db_password => 'staging-secret',
    nodes       => {
      Node['db.staging.example.net']  => Lamp::Db['staging'],
      Node['web.staging.example.net'] => Lamp::Web['staging-1'],
    },
  }

  lamp { 'prod':
    db_user     => 'shop',
    db_password => 'prod-secret',
    web_count   => 2,
    nodes       => {
      Node['db01.example.net']  => Lamp::Db['prod'],
      Node['web01.example.net'] => Lamp::Web['prod-1'],
      Node['web02.example.net'] => Lamp::Web['prod-2'],
    },
  }
}

node default {
  notify { "no role for ${trusted['certname']}": }
}
