# A SQL database endpoint, shared across applications.
Puppet::Type.newtype(:sql, :is_capability => true) do
  newparam :name, :namevar => true
  newparam :host
  newparam :port
end
