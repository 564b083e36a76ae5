# Rewritten to the shape of app_modeling's type: a capability with these parameters.
Puppet::Type.newtype(:dependency, :is_capability => true) do
  newparam(:name, :namevar => true)
end
