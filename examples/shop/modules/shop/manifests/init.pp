# A three-tier shop: one database, a web farm of any size, a load balancer that consumes every
# web node's HTTP endpoint.
application shop (
  Integer $web_count = 2,
  Integer $http_port = 8080,
) {
  shop::db { $name:
    export => Dbconn[$name],
  }

  # The web farm, built by iteration; each web node exports its own endpoint.
  $endpoints = Integer[1, $web_count].map |$i| {
    $title = "${name}-${i}"
    shop::web { $title:
      http_port => $http_port,
      consume   => Dbconn[$name],
      export    => Http[$title],
    }
    Http[$title]
  }

  shop::lb { $name:
    members => $endpoints.map |$e| { "${e}" },
    consume => $endpoints,
  }
}
