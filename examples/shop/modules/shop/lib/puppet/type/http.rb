# An HTTP endpoint: produced by each web node, consumed by the load balancer.
Puppet::Type.newtype(:http, :is_capability => true) do
  newparam :name, :namevar => true
  newparam :host
  newparam :port
end
