# One platform, two billing instances consuming its database across applications.
site {
  platform { 'main':
    nodes => {
      Node['db01.example.net'] => Platform::Database['main'],
    },
  }

  billing { 'eu':
    db    => Sql['main'],
    nodes => {
      Node['billing-eu.example.net'] => [Billing::Api['eu'], Billing::Worker['eu']],
    },
  }

  billing { 'us':
    db    => Sql['main'],
    nodes => {
      Node['billing-us.example.net']        => Billing::Api['us'],
      Node['billing-us-worker.example.net'] => Billing::Worker['us'],
    },
  }
}
