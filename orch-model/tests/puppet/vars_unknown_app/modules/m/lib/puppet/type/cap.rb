Puppet::Type.newtype(:cap, :is_capability => true) do
  newparam(:name, :namevar => true)
  newparam(:host)
end
