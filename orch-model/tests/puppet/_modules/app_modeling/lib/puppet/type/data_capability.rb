# Rewritten to the shape of app_modeling's type: a capability with these parameters.
Puppet::Type.newtype(:data_capability, :is_capability => true) do
  newparam(:name, :namevar => true)
  newparam(:data)
end
