# The load balancer in front of the web farm.
define shop::lb (
  Array[String] $members = [],
  Integer       $listen_port = 80,
) {
  notify { "haproxy on ${listen_port} for ${join($members, ', ')}": }
}

Shop::Lb consumes Http { }
