# The capability a web node produces.
Puppet::Type.newtype(:http, :is_capability => true) do
  newparam :name, :namevar => true
  newparam :host
  newparam :port
  newparam :base_path
end
