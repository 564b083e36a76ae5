Puppet::Type.newtype(:sql, :is_capability => true) do
  newparam :name, :namevar => true
  newparam :password
  newparam :host
end
